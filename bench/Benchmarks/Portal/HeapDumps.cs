using System.Globalization;
using System.Text.RegularExpressions;
using Platform.Benchmarks.Harness;

namespace Platform.Benchmarks.Portal;

/// <summary>
/// What the portal's managed heap holds, exactly: dotnet-gcdump (bench/run.sh installs it; PLATFORM_GCDUMP_TOOL names
/// it) forces a full collection and walks the live objects. Its "GC Heap bytes" is their size; RSS cannot say this, as
/// the GC keeps freed memory for its next allocations and counts garbage it has not reached yet. With
/// PLATFORM_BENCH_GCDUMP set to a folder the dumps are kept there (their per-type figures are one object's size per size
/// class, not totals: bench/README.md says how to count types exactly); with PLATFORM_BENCH_DUMP_TOOL naming dotnet-dump
/// as well, a heap dump of each step is kept beside them for <c>dumpheap -stat -live</c>.
/// </summary>
internal static partial class HeapDumps
{
    /// <summary>The live managed bytes, or null where dotnet-gcdump is not installed or failed.</summary>
    public static long? LiveBytes(int pid, string name)
    {
        var tool = Environment.GetEnvironmentVariable("PLATFORM_GCDUMP_TOOL") ?? "dotnet-gcdump";
        var kept = Environment.GetEnvironmentVariable("PLATFORM_BENCH_GCDUMP");
        var folder = string.IsNullOrEmpty(kept) ? Path.Combine(Path.GetTempPath(), $"platform-gcdump-{Guid.NewGuid():N}") : kept;
        Directory.CreateDirectory(folder);
        var dump = Path.Combine(folder, name + ".gcdump");
        try
        {
            Machine.Command(tool, "collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", dump);
            var total = HeapBytes().Match(Machine.Command(tool, "report", dump));
            if (!string.IsNullOrEmpty(kept) && Environment.GetEnvironmentVariable("PLATFORM_BENCH_DUMP_TOOL") is { Length: > 0 } dumpTool)
            {
                Machine.Command(dumpTool, "collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "--type", "Heap", "-o", Path.Combine(folder, name + ".dmp"));
            }

            return total.Success ? long.Parse(total.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture) : null;
        }
        finally
        {
            if (string.IsNullOrEmpty(kept))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [GeneratedRegex(@"^\s*([\d,]+)\s+GC Heap bytes", RegexOptions.Multiline)]
    private static partial Regex HeapBytes();
}
