using System.Globalization;
using Platform.Portal.Infrastructure;

namespace Platform.Portal.Runtime;

/// <summary>
/// What a process and its descendants consume, read from /proc: resident memory, and CPU time to turn into cores
/// between two readings.
/// </summary>
public sealed class ProcessMetrics
{
    private const double TicksPerSecond = 100;
    private readonly Dictionary<int, List<int>> _children = [];

    private ProcessMetrics()
    {
    }

    /// <summary>Reads the process table once, for every instance measured in this round.</summary>
    public static ProcessMetrics Read()
    {
        var metrics = new ProcessMetrics();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || ReadStat(pid) is not { } stat)
            {
                continue;
            }

            if (!metrics._children.TryGetValue(stat.ParentId, out var list))
            {
                metrics._children[stat.ParentId] = list = [];
            }

            list.Add(pid);
        }

        return metrics;
    }

    /// <summary>Resident memory in MB and CPU seconds used so far, summed over the process tree.</summary>
    public (double MemoryMb, double CpuSeconds) Measure(int rootId)
    {
        double memoryKb = 0, ticks = 0;
        var pending = new Stack<int>([rootId]);
        var seen = new HashSet<int>();
        while (pending.TryPop(out var pid))
        {
            if (!seen.Add(pid) || ReadStat(pid) is not { } stat)
            {
                continue;
            }

            ticks += stat.Ticks;
            memoryKb += stat.ResidentKb;
            if (_children.TryGetValue(pid, out var children))
            {
                children.ForEach(pending.Push);
            }
        }

        return (memoryKb / 1024, ticks / TicksPerSecond);
    }

    private sealed record Stat(int ParentId, long Ticks, long ResidentKb);

    private static Stat? ReadStat(int pid)
    {
        if (ProcStat.Fields(pid) is not { } fields)
        {
            return null;
        }

        try
        {
            var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            var residentPages = long.Parse(fields[21], CultureInfo.InvariantCulture);
            return new Stat(parent, ticks, residentPages * Environment.SystemPageSize / 1024);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
