using System.Diagnostics;
using Platform.Domain.Logs;
using Platform.Portal.Runtime;
using Platform.Portal.Runtime.Sandbox;

namespace Platform.Tests.Runtime;

/// <summary>
/// How the portal reads what a build, an instance, a probe or a fetch prints: line by line, but never holding more of
/// one line than a log line keeps (and the longest secret), so that a process printing without a line end cannot grow
/// the portal's memory, which no sandbox limit covers.
/// </summary>
public sealed class OutputLineTests
{
    private static async Task<List<string>> LinesAsync(string text, params string[] secrets)
    {
        var lines = new List<string>();
        await ChildProcess.ReadLinesAsync(new StringReader(text), LogStream.Stdout, secrets, (_, line) => lines.Add(line));
        return lines;
    }

    [Fact]
    public async Task Lines_EndAtNewlineReturnOrBoth_LikeReadLine()
    {
        Assert.Equal(["a", "b", "", "c", "d"], await LinesAsync("a\nb\n\nc\r\nd"));
        Assert.Equal(["a", "b"], await LinesAsync("a\rb\n"));
    }

    [Fact]
    public async Task ALongLine_IsCut_AndTheRestOfItDropped_TheNextLineKept()
    {
        var lines = await LinesAsync(new string('a', 100_000) + "\nnext\n");

        Assert.Equal(2, lines.Count);
        Assert.Equal(new string('a', ChildProcess.MaxLineLength - ChildProcess.CutNote.Length) + ChildProcess.CutNote, lines[0]);
        Assert.Equal("next", lines[1]);
    }

    [Fact]
    public async Task ASecretAcrossTheCut_IsMaskedBeforeTheLineIsCut()
    {
        const string Secret = "s3cr3t-value-long-enough";
        var lines = await LinesAsync(new string('a', ChildProcess.MaxLineLength - ChildProcess.CutNote.Length - 5) + Secret + new string('b', 50_000) + "\n", Secret);

        Assert.DoesNotContain("s3cr3", lines.Single(), StringComparison.Ordinal);
        Assert.EndsWith(ChildProcess.CutNote, lines.Single(), StringComparison.Ordinal);
    }
}

/// <summary>Tests that measure the process's memory: they run alone, since any other test's allocations would count.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurements
{
    public const string Name = "Memory measurements";
}

/// <summary>How much the portal allocates reading a process that prints one line without an end.</summary>
[Collection(MemoryMeasurements.Name)]
public sealed class OutputMemoryTests
{
    [Fact]
    public async Task AProcessPrintingWithoutALineEnd_DoesNotGrowThePortalsMemory()
    {
        const int Megabytes = 200;
        using var process = Process.GetCurrentProcess();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var lines = new List<string>();
        using var child = ChildProcess.Start(
            new PreparedProcess("/bin/sh", ["-c", $"head -c {Megabytes * 1024 * 1024} /dev/zero | tr '\\0' a; echo; echo done"], new Dictionary<string, string> { ["PATH"] = HostCommand.Path }, "/", null),
            [], (_, line) =>
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            });
        await child.Exited.WaitAsync(TimeSpan.FromSeconds(60));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(["done"], lines.Skip(1));
        Assert.Equal(ChildProcess.MaxLineLength, lines[0].Length);
        // Reading 200 MB allocates only what the log lines hold (a line's whole text as UTF-16 would be 400 MB and more).
        Assert.True(allocated < 50L * 1024 * 1024, $"Reading one {Megabytes} MB line allocated {allocated / 1024 / 1024} MB");
    }
}
