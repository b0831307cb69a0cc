using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Platform.Benchmarks.Portal;

/// <summary>
/// What the portal's managed heap holds, exactly: dotnet-gcdump (bench/run.sh installs it; PLATFORM_GCDUMP_TOOL names
/// it) forces a full collection and walks the live objects. Its "GC Heap bytes" is their size; RSS cannot say this, as
/// the GC keeps freed memory for its next allocations and counts garbage it has not reached yet. With
/// PLATFORM_BENCH_GCDUMP set to a folder the dumps are kept there, to compare with `dotnet-gcdump report`.
/// </summary>
internal static partial class HeapDumps
{
    /// <summary>The live managed bytes, or null where dotnet-gcdump is not installed.</summary>
    public static async Task<long?> LiveBytesAsync(int pid, string name, CancellationToken cancellationToken)
    {
        var tool = Environment.GetEnvironmentVariable("PLATFORM_GCDUMP_TOOL") ?? "dotnet-gcdump";
        var kept = Environment.GetEnvironmentVariable("PLATFORM_BENCH_GCDUMP");
        var folder = string.IsNullOrEmpty(kept) ? Path.Combine(Path.GetTempPath(), $"platform-gcdump-{Guid.NewGuid():N}") : kept;
        Directory.CreateDirectory(folder);
        var dump = Path.Combine(folder, name + ".gcdump");
        try
        {
            await RunAsync(tool, ["collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", dump], cancellationToken);
            var report = await RunAsync(tool, ["report", dump], cancellationToken);
            var total = HeapBytes().Match(report);
            return total.Success ? long.Parse(total.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture) : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
        finally
        {
            if (string.IsNullOrEmpty(kept))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static async Task<string> RunAsync(string tool, string[] arguments, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        _ = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return await output;
    }

    [GeneratedRegex(@"^\s*([\d,]+)\s+GC Heap bytes", RegexOptions.Multiline)]
    private static partial Regex HeapBytes();
}
