using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Platform.Portal.Runtime.Sandbox;

/// <summary>The control groups one sandbox runs in: one folder per hierarchy, each with its cgroup.procs to join.</summary>
public sealed record SandboxCgroup(string Name, IReadOnlyList<string> Folders, string? MemoryFolder, bool Unified)
{
    /// <summary>Where its CPU time is counted: the cpuacct hierarchy (v1) or its one folder (v2); null when neither is had.</summary>
    public string? CpuFolder { get; init; }


    public IEnumerable<string> ProcsFiles => Folders.Select(f => Path.Combine(f, "cgroup.procs"));
}

/// <summary>
/// Limits of memory, processes and CPU share per sandbox through control groups, where the host lets the portal
/// make them: cgroup v1 (memory, pids, cpu hierarchies, and cpuacct to count CPU time) or v2 (when the portal's cgroup may delegate controllers).
/// Where none is writable, <see cref="Available"/> is false and the runtime falls back to rlimits (processes per
/// application's uid, open files) and to supervision's polling of memory. The sandboxes' cgroups sit in one folder
/// per portal under the portal's own cgroup, so leftovers of an earlier run are found and removed at start.
/// </summary>
public sealed partial class SandboxCgroups(LocalRuntimeSettings settings, ILogger<SandboxCgroups> logger)
{
    private static readonly string[] V1Controllers = ["memory", "pids", "cpu", "cpuacct"];
    private List<(string Controller, string Parent)> _parents = [];
    private bool _unified;

    public bool Available => _parents.Count > 0;

    /// <summary>What limits sandboxes, for the log and the README's claim to be checked against.</summary>
    public string Describe() => Available
        ? $"cgroup {(_unified ? "v2" : "v1")} ({string.Join(", ", _parents.Select(p => p.Controller))}) per sandbox, plus rlimits"
        : "rlimits only (processes per application, open files) and supervision's memory polling: no writable cgroup";

    /// <summary>Finds the hierarchies it may write to, makes this portal's folder in each, and empties it of leftovers.</summary>
    public async Task InitializeAsync()
    {
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(settings.Directory)))[..12].ToLowerInvariant();
        var own = File.Exists("/proc/self/cgroup") ? File.ReadAllLines("/proc/self/cgroup") : [];
        var mounts = File.Exists("/proc/self/mountinfo") ? File.ReadAllLines("/proc/self/mountinfo").Select(Mount.Parse).OfType<Mount>().ToList() : [];
        var parents = new List<(string, string)>();
        var v1 = mounts.Where(m => m.Type == "cgroup").ToList();
        if (v1.Count > 0)
        {
            foreach (var controller in V1Controllers)
            {
                var mount = v1.FirstOrDefault(m => m.Options.Split(',').Contains(controller));
                // cpu and cpuacct are often one hierarchy (cpu,cpuacct): its folder is had once.
                var path = own.Select(l => l.Split(':', 3)).FirstOrDefault(f => f.Length == 3 && f[1].Split(',').Contains(controller))?[2];
                if (mount is not null && path is not null && TryMake(Path.Join(mount.Point, Relative(path, mount.Root), $"platform-{key}")) is { } parent
                    && parents.All(p => p.Item2 != parent))
                {
                    parents.Add((controller, parent));
                }
            }
        }
        else if (mounts.FirstOrDefault(m => m.Type == "cgroup2") is { } unified
            && own.Select(l => l.Split(':', 3)).FirstOrDefault(f => f.Length == 3 && f[0] == "0")?[2] is { } path)
        {
            // v2: controllers reach a child only through a cgroup without processes of its own; ours has the portal.
            var ownFolder = Path.Join(unified.Point, Relative(path, unified.Root));
            if (await TryWriteAsync(Path.Combine(ownFolder, "cgroup.subtree_control"), "+memory +pids +cpu")
                && TryMake(Path.Combine(ownFolder, $"platform-{key}")) is { } parent
                && await TryWriteAsync(Path.Combine(parent, "cgroup.subtree_control"), "+memory +pids +cpu"))
            {
                parents.Add(("memory, pids, cpu", parent));
                _unified = true;
            }
        }

        _parents = parents;
        foreach (var (_, parent) in _parents)
        {
            foreach (var leftover in Directory.GetDirectories(parent))
            {
                await RemoveAsync(leftover);
            }
        }
    }

    /// <summary>A cgroup for one sandbox with these limits; null when cgroups are not available here.</summary>
    public async Task<SandboxCgroup?> CreateAsync(string name, int memoryMb, int processes, double cpu)
    {
        if (!Available)
        {
            return null;
        }

        var bytes = ((long)memoryMb * 1024 * 1024).ToString(CultureInfo.InvariantCulture);
        var shares = Math.Clamp((int)(1024 * cpu), 2, 262144);
        var folders = new List<string>();
        string? memory = null, cpuTime = null;
        try
        {
            foreach (var (controller, parent) in _parents)
            {
                var folder = Path.Combine(parent, name);
                Directory.CreateDirectory(folder);
                folders.Add(folder);
                if (_unified)
                {
                    await WriteAsync(folder, "memory.max", bytes);
                    await TryWriteAsync(Path.Combine(folder, "memory.swap.max"), "0");
                    await WriteAsync(folder, "pids.max", processes.ToString(CultureInfo.InvariantCulture));
                    await TryWriteAsync(Path.Combine(folder, "cpu.weight"), Math.Clamp(shares * 100 / 1024, 1, 10000).ToString(CultureInfo.InvariantCulture));
                    (memory, cpuTime) = (folder, folder);
                }
                else if (controller == "memory")
                {
                    await WriteAsync(folder, "memory.limit_in_bytes", bytes);
                    // With swap accounting, memory and swap together stay within the same limit.
                    await TryWriteAsync(Path.Combine(folder, "memory.memsw.limit_in_bytes"), bytes);
                    memory = folder;
                }
                else if (controller == "cpuacct")
                {
                    cpuTime = folder;
                }
                else if (controller == "pids")
                {
                    await WriteAsync(folder, "pids.max", processes.ToString(CultureInfo.InvariantCulture));
                }
                else
                {
                    await WriteAsync(folder, "cpu.shares", shares.ToString(CultureInfo.InvariantCulture));
                    // A joint cpu,cpuacct hierarchy counts the time in the same folder.
                    cpuTime ??= File.Exists(Path.Combine(folder, "cpuacct.usage")) ? folder : null;
                }
            }
        }
        catch (IOException exception)
        {
            foreach (var folder in folders)
            {
                await RemoveAsync(folder);
            }

            throw new SandboxException($"A sandbox's limits could not be set: {exception.Message}");
        }

        return new SandboxCgroup(name, folders, memory, _unified) { CpuFolder = cpuTime };
    }

    /// <summary>How many times the kernel killed a process of this cgroup for passing its memory limit.</summary>
    public static long OomKills(SandboxCgroup cgroup)
    {
        if (cgroup.MemoryFolder is not { } folder)
        {
            return 0;
        }

        try
        {
            var file = Path.Combine(folder, cgroup.Unified ? "memory.events" : "memory.oom_control");
            var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith("oom_kill ", StringComparison.Ordinal));
            return line is not null && long.TryParse(line["oom_kill ".Length..], CultureInfo.InvariantCulture, out var kills) ? kills : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>
    /// What the cgroup's processes, and every child they started, consume: the working set in MB (memory charged,
    /// less the file cache the kernel may take back at once, as kubelet counts it) and the CPU seconds used since the
    /// cgroup was made, exited children included. Null when the cgroup counts neither, so the caller reads /proc instead.
    /// </summary>
    public static (double MemoryMb, double CpuSeconds)? Usage(SandboxCgroup cgroup)
    {
        if (cgroup.MemoryFolder is not { } memoryFolder || cgroup.CpuFolder is not { } cpuFolder)
        {
            return null;
        }

        try
        {
            var stat = File.ReadLines(Path.Combine(memoryFolder, "memory.stat")).Select(l => l.Split(' ', 2)).Where(f => f.Length == 2)
                .ToDictionary(f => f[0], f => long.TryParse(f[1], CultureInfo.InvariantCulture, out var value) ? value : 0, StringComparer.Ordinal);
            long charged, cpuNanoseconds;
            if (cgroup.Unified)
            {
                charged = long.Parse(File.ReadAllText(Path.Combine(memoryFolder, "memory.current")), CultureInfo.InvariantCulture) - stat.GetValueOrDefault("inactive_file");
                var usage = File.ReadLines(Path.Combine(cpuFolder, "cpu.stat")).Select(l => l.Split(' ', 2)).First(f => f[0] == "usage_usec")[1];
                cpuNanoseconds = long.Parse(usage, CultureInfo.InvariantCulture) * 1000;
            }
            else
            {
                charged = long.Parse(File.ReadAllText(Path.Combine(memoryFolder, "memory.usage_in_bytes")), CultureInfo.InvariantCulture) - stat.GetValueOrDefault("total_inactive_file");
                cpuNanoseconds = long.Parse(File.ReadAllText(Path.Combine(cpuFolder, "cpuacct.usage")), CultureInfo.InvariantCulture);
            }

            return (Math.Max(0, charged) / (1024.0 * 1024), cpuNanoseconds / 1e9);
        }
        catch (Exception exception) when (exception is IOException or FormatException or InvalidOperationException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Removes a sandbox's cgroups, killing what is still in them (nothing should be: the sandbox has ended).</summary>
    public async Task DeleteAsync(SandboxCgroup cgroup)
    {
        foreach (var folder in cgroup.Folders)
        {
            await RemoveAsync(folder);
        }
    }

    private async Task RemoveAsync(string folder)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            try
            {
                Directory.Delete(folder);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException)
            {
                // Busy: processes are still in it (exiting, or left by a portal that was killed).
                foreach (var pid in Processes(folder))
                {
                    await HostCommand.RunAsync("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)]);
                }

                await Task.Delay(50 * (attempt + 1));
            }
        }

        LogRemoveFailed(folder);
    }

    private static List<int> Processes(string folder)
    {
        try
        {
            return File.ReadAllLines(Path.Combine(folder, "cgroup.procs")).Select(l => int.TryParse(l, CultureInfo.InvariantCulture, out var pid) ? pid : 0).Where(p => p > 0).ToList();
        }
        catch (IOException)
        {
            return [];
        }
    }

    private static string? TryMake(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
            // A folder that exists but takes no process is as good as none.
            return File.Exists(Path.Combine(folder, "cgroup.procs")) ? folder : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static async Task WriteAsync(string folder, string file, string value) => await File.WriteAllTextAsync(Path.Combine(folder, file), value);

    private static async Task<bool> TryWriteAsync(string file, string value)
    {
        try
        {
            await File.WriteAllTextAsync(file, value);
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string Relative(string path, string root) =>
        root == "/" ? path : path.StartsWith(root, StringComparison.Ordinal) ? path[root.Length..] : path;

    /// <summary>A line of /proc/self/mountinfo: where a filesystem is mounted, its type, the root it shows and its options.</summary>
    private sealed record Mount(string Root, string Point, string Type, string Options)
    {
        public static Mount? Parse(string line)
        {
            var halves = line.Split(" - ", 2);
            var left = halves[0].Split(' ');
            var right = halves.Length == 2 ? halves[1].Split(' ') : [];
            return left.Length >= 5 && right.Length >= 3 ? new Mount(left[3], left[4], right[0], right[2]) : null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A sandbox's cgroup could not be removed: {Folder}")]
    private partial void LogRemoveFailed(string folder);
}
