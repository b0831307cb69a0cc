using System.Diagnostics;
using System.Globalization;
using Platform.Portal.Infrastructure;

namespace Platform.Portal.Runtime;

/// <summary>
/// Remembers the builds and instances the local runtime has running, one file per process id holding the
/// process's start time, so that the next start of a portal that did not stop cleanly (killed, out of memory,
/// power cut) kills what it left behind instead of leaving orphans that hold ports, memory and database
/// connections. The start time tells a leftover from a newer process that got the same id.
/// </summary>
public sealed class ProcessLedger(string folder)
{
    /// <summary>Notes a process that just started; its entry goes once it has exited.</summary>
    public void Track(ChildProcess process)
    {
        var pid = process.Id;
        // Read once it runs; if it has already ended, its pid may belong to someone else's process by now: only a
        // child of this portal is noted.
        if (ProcStat.Identity(pid) is not { } identity || ProcStat.ParentOf(pid) != Environment.ProcessId)
        {
            return;
        }

        if (!Directory.Exists(folder))
        {
            // Only the portal reads it: applications have no business knowing each other's pids.
            PrivateFolders.Create(folder);
        }

        File.WriteAllText(Entry(pid), identity);
        _ = process.Exited.ContinueWith(_ => Forget(pid, identity), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Kills, with everything they started, the processes an earlier run left running; answers how many.</summary>
    public int KillLeftovers()
    {
        if (!Directory.Exists(folder))
        {
            return 0;
        }

        // A folder made by an earlier version may still be readable by others.
        PrivateFolders.Create(folder);

        var killed = 0;
        foreach (var entry in Directory.GetFiles(folder))
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && ProcStat.IsRunning(File.ReadAllText(entry)) && Kill(pid))
            {
                killed++;
            }

            File.Delete(entry);
        }

        return killed;
    }

    /// <summary>Removes the entry, unless a newer process with the same pid has taken it over meanwhile.</summary>
    private void Forget(int pid, string identity)
    {
        try
        {
            var entry = Entry(pid);
            if (File.Exists(entry) && File.ReadAllText(entry) == identity)
            {
                File.Delete(entry);
            }
        }
        catch (IOException)
        {
            // The runtime folder went away with its portal (a test's data folder): nothing left to forget.
        }
    }

    private string Entry(int pid) => Path.Combine(folder, pid.ToString(CultureInfo.InvariantCulture));

    private static bool Kill(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
            return true;
        }
        catch (ArgumentException)
        {
            return false; // Gone meanwhile.
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
