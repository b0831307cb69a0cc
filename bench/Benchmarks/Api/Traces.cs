using System.Diagnostics;
using System.Globalization;

namespace Platform.Benchmarks.Api;

/// <summary>
/// Opt-in profiling of the portal under load: with PLATFORM_BENCH_TRACE set to a folder (and dotnet-trace on the PATH,
/// or PLATFORM_TRACE_TOOL naming it), each platform measurement of the API benchmark is traced with dotnet-trace's
/// sampled thread time into {folder}/{name}.nettrace, in speedscope form beside it; bench/cpu-profile.py sums the
/// samples that were on the CPU by method. Tracing slows the portal: a traced run's figures are not the report's.
/// </summary>
internal static class Traces
{
    public static async Task<Task> StartAsync(int pid, string name, TimeSpan duration, CancellationToken cancellationToken)
    {
        var folder = Environment.GetEnvironmentVariable("PLATFORM_BENCH_TRACE");
        if (string.IsNullOrEmpty(folder))
        {
            return Task.CompletedTask;
        }

        Directory.CreateDirectory(folder);
        var tool = Environment.GetEnvironmentVariable("PLATFORM_TRACE_TOOL") ?? "dotnet-trace";
        var output = Path.Combine(folder, name + ".nettrace");
        var process = Process.Start(new ProcessStartInfo(tool,
        [
            "collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "--profile", "dotnet-sampled-thread-time",
            "--duration", duration.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture), "--format", "Speedscope", "-o", output,
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        })!;
        // The session needs a moment to attach before the load starts.
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        return WaitAsync(process, cancellationToken);
    }

    private static async Task WaitAsync(Process process, CancellationToken cancellationToken)
    {
        using (process)
        {
            await process.WaitForExitAsync(cancellationToken);
        }
    }
}
