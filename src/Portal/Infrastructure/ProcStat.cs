using System.Globalization;

namespace Platform.Portal.Infrastructure;

/// <summary>Reads /proc/{pid}/stat, the one place this host says what a process is, who its parent is and when it started.</summary>
public static class ProcStat
{
    /// <summary>The fields after the command name, from the state on (so index 0 is field 3 of proc(5)); null once the process is gone.</summary>
    public static string[]? Fields(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may hold spaces or parentheses: the fields after the last one are fixed.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 21 ? fields : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// When the process started, in clock ticks after boot (field 22): with the pid, it names one process for good,
    /// where the pid alone may since belong to another one.
    /// </summary>
    public static string? StartTime(int pid) => Fields(pid)?[19];

    /// <summary>
    /// "{boot} {pid} {start time}" of a running process, to write down and check later with <see cref="IsRunning"/>.
    /// The boot id keeps an entry written before a reboot from naming a process of this boot with the same pid and tick.
    /// </summary>
    public static string? Identity(int pid) => StartTime(pid) is { } started ? string.Create(CultureInfo.InvariantCulture, $"{BootId} {pid} {started}") : null;

    /// <summary>Whether the process an <see cref="Identity"/> names still runs (and is not a zombie).</summary>
    public static bool IsRunning(string identity)
    {
        var parts = identity.Trim().Split(' ');
        return parts.Length == 3 && parts[0] == BootId && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && Fields(pid) is { } fields && fields[0] is not ("Z" or "X") && fields[19] == parts[2];
    }

    /// <summary>The parent of a running process; null once it is gone.</summary>
    public static int? ParentOf(int pid) =>
        Fields(pid) is { } fields && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent) ? parent : null;

    private static string BootId { get; } = File.Exists("/proc/sys/kernel/random/boot_id") ? File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim() : "unknown";
}
