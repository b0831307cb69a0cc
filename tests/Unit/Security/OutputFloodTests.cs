using Platform.Tests.Deployments;
using Platform.Tests.Support;
using Xunit.Abstractions;

namespace Platform.Tests.Security;

/// <summary>
/// A build with 64 MB printed one 150 MB line: the portal, which read its output a line at a time with
/// BeginOutputReadLine, held the line whole until its end came, and its own memory (root, outside every sandbox
/// limit) grew by 601 MB in 3 s. Printing a few GB so would have sent the host to its OOM killer.
/// </summary>
[Collection(Platform.Tests.Runtime.MemoryMeasurements.Name)]
public sealed class OutputFloodTests(EscapePortal escape, ITestOutputHelper output) : IClassFixture<EscapePortal>
{
    private static long PeakKb() => long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);

    private static long RssKb() => long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task ABuildPrintingOneHugeLine_DoesNotGrowThePortalsMemory()
    {
        const int Megabytes = 150;
        using var repository = await TestGitRepository.CreateAsync(ShellApp.Files());
        var team = await RuntimeTeam.OfAsync(escape.Portal);
        var environment = await team.CreateEnvironmentAsync();
        var body = ShellApp.Body(repository.Url);
        body["build_command"] = $"head -c {Megabytes * 1024 * 1024} /dev/zero | tr '\\0' a; echo; echo build done";
        body["memory"] = 64;
        var application = await team.Owner.CreateApplicationAsync(environment, body);
        GC.Collect();
        var (peakBefore, rssBefore) = (PeakKb(), RssKb());

        await team.Owner.DeployOkAsync(application);
        var lines = (await team.Owner.GetResultsAsync($"/api/application/{application}/log?tail=50")).Select(l => l!["message"]!.GetValue<string>()).ToList();
        Assert.Contains(lines, l => l.EndsWith(Platform.Portal.Runtime.ChildProcess.CutNote, StringComparison.Ordinal));
        Assert.Contains("build done", lines);
        var (peakAfter, rssAfter) = (PeakKb(), RssKb());
        output.WriteLine($"peak before {peakBefore / 1024} MB, after {peakAfter / 1024} MB; rss before {rssBefore / 1024} MB, after {rssAfter / 1024} MB");

        Assert.True(peakAfter - peakBefore < 100 * 1024, $"The portal's peak memory grew by {(peakAfter - peakBefore) / 1024} MB for one {Megabytes} MB line of a build with 64 MB");
    }
}
