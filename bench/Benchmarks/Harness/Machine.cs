using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Platform.Benchmarks.Harness;

/// <summary>The facts that make a report's figures comparable: cores, memory, versions, the commit measured.</summary>
internal static class Machine
{
    public static async Task<IReadOnlyList<(string Fact, string Value)>> DescribeAsync(BenchRun run)
    {
        await using var connection = await run.OpenConnectionAsync();
        await using var version = new Npgsql.NpgsqlCommand("SHOW server_version", connection);
        var memoryKb = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var os = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"') ?? "unknown";
        return
        [
            ("cores", $"{Environment.ProcessorCount} ({cpu})"),
            ("memory", $"{long.Parse(memoryKb, CultureInfo.InvariantCulture) / 1024.0 / 1024.0:0.0} GiB"),
            ("system", $"{os}, Linux {Command("uname", "-r")}"),
            (".NET", RuntimeInformation.FrameworkDescription),
            ("PostgreSQL", (string)(await version.ExecuteScalarAsync())!),
            ("wrk", Command("wrk", "--version").Split('\n')[0]),
            ("Chromium", Command("chromium", "--version")),
            ("commit", Command("git", "-C", run.Options.Root, "rev-parse", "--short", "HEAD") + (Command("git", "-C", run.Options.Root, "status", "--porcelain").Length > 0 ? " (with uncommitted changes)" : "")),
            ("load average at start", File.ReadAllText("/proc/loadavg").Split(' ')[0]),
        ];
    }

    public static string Command(string file, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return output.Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "not installed";
        }
    }
}
