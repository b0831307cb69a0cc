using Platform.Portal.Runtime;

namespace Platform.Tests.Runtime;

/// <summary>What a portal that did not stop cleanly left running is killed at its next start, and nothing else is.</summary>
public sealed class ProcessLedgerTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"platform-ledger-{Guid.NewGuid():N}");

    [Fact]
    public async Task ProcessesLeftByAPortalThatDidNotStop_AreKilledAtTheNextStart_WithWhatTheyStarted()
    {
        using var instance = Start("sleep 300 & sleep 301; wait");
        new ProcessLedger(_folder).Track(instance);
        var child = await ChildOfAsync(instance.Id);

        var killed = new ProcessLedger(_folder).KillLeftovers();

        Assert.Equal(1, killed);
        await instance.Exited.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(await GoneAsync(child), $"process {child}, started by the instance, still runs");
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task RecordedIdTakenByANewerProcess_IsLeftRunning()
    {
        using var unrelated = Start("sleep 300");
        new ProcessLedger(_folder).Track(unrelated);
        var entry = Path.Combine(_folder, unrelated.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var noted = (await File.ReadAllTextAsync(entry)).Split(' ');
        await File.WriteAllTextAsync(entry, $"{noted[0]} {noted[1]} 12345");

        var killed = new ProcessLedger(_folder).KillLeftovers();

        Assert.Equal(0, killed);
        Assert.False(unrelated.HasExited);
        await unrelated.KillAsync();
    }

    [Fact]
    public async Task ProcessThatExited_IsForgotten()
    {
        using var build = Start("true");
        new ProcessLedger(_folder).Track(build);

        await build.Exited.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Empty(Directory.Exists(_folder) ? Directory.GetFiles(_folder) : []);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static ChildProcess Start(string command) =>
        ChildProcess.Start(new Platform.Portal.Runtime.Sandbox.PreparedProcess("/bin/sh", ["-c", command], new Dictionary<string, string>(), Path.GetTempPath(), null), [], (_, _) => { });

    /// <summary>The first process whose parent is the given one, once the shell has started it.</summary>
    private static async Task<int> ChildOfAsync(int parent)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var child = Directory.GetDirectories("/proc").Select(Path.GetFileName).Select(n => int.TryParse(n, System.Globalization.CultureInfo.InvariantCulture, out var pid) ? pid : 0)
                .FirstOrDefault(pid => pid > 0 && ParentOf(pid) == parent);
            if (child > 0)
            {
                return child;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"Process {parent} started no child.");
    }

    /// <summary>Whether the process ends within 5 s; a zombie waiting for its reaper counts as ended.</summary>
    private static async Task<bool> GoneAsync(int pid)
    {
        for (var attempt = 0; attempt < 250; attempt++)
        {
            if (Stat(pid) is not { } fields || fields[0] is "Z" or "X")
            {
                return true;
            }

            await Task.Delay(20);
        }

        return false;
    }

    private static int ParentOf(int pid) =>
        Stat(pid) is { } fields ? int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) : 0;

    /// <summary>The fields of /proc/{pid}/stat after the command name, from the state on; null once it is gone.</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }
}
