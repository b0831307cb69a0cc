using System.Diagnostics;

namespace Platform.Benchmarks.Portal;

/// <summary>
/// Opt-in diagnosis of what a circuit holds: with PLATFORM_BENCH_GCDUMP set to a folder (and dotnet-gcdump on the PATH,
/// or PLATFORM_GCDUMP_TOOL naming it), a gcdump of the portal is written there at each step; compare them with
/// `dotnet-gcdump report`. A collection forces a full GC, so the RSS of later steps is lower than in a plain run.
/// </summary>
internal static class HeapDumps
{
    public static async Task CollectAsync(int pid, string name, CancellationToken cancellationToken)
    {
        var folder = Environment.GetEnvironmentVariable("PLATFORM_BENCH_GCDUMP");
        if (string.IsNullOrEmpty(folder))
        {
            return;
        }

        Directory.CreateDirectory(folder);
        var tool = Environment.GetEnvironmentVariable("PLATFORM_GCDUMP_TOOL") ?? "dotnet-gcdump";
        using var process = Process.Start(new ProcessStartInfo(tool, ["collect", "-p", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", Path.Combine(folder, name + ".gcdump")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        await process.WaitForExitAsync(cancellationToken);
    }
}
