using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Platform.Benchmarks.Api;

/// <summary>What one wrk run measured: requests per second, median and 99th percentile latency, and the answers that were not 2xx.</summary>
internal sealed record WrkResult(double RequestsPerSecond, double P50Ms, double P99Ms, long Requests, long Errors)
{
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{RequestsPerSecond:0} rps · {P50Ms:0.0} ms · {P99Ms:0.0} ms");
}

/// <summary>
/// Runs <c>wrk -t2 -c32 -d{N}s --latency --timeout 10s</c> against one URL with the bearer token, and reads its summary
/// (the longer timeout keeps slow answers on a loaded machine in the latency figures instead of wrk's 2 s socket errors).
/// </summary>
internal static partial class Wrk
{
    public const int Connections = 32;

    public static async Task<WrkResult> RunAsync(Uri url, string token, TimeSpan duration, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
                 {
                     "-t2", $"-c{Connections}", $"-d{(int)duration.TotalSeconds}s", "--latency", "--timeout", "10s", "-H", $"Authorization: Bearer {token}", url.ToString(),
                 })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start.");
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk failed ({process.ExitCode}): {await error}{output}");
        }

        return Parse(output);
    }

    /// <summary>Reads "Requests/sec:", the 50% and 99% lines of the latency distribution, "N requests in" and "Non-2xx or 3xx responses:".</summary>
    public static WrkResult Parse(string output)
    {
        var rps = double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var requests = long.Parse(Requests().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var non2xx = NonSuccess().Match(output);
        var socket = SocketErrors().Match(output);
        long errors = non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        if (socket.Success)
        {
            errors += socket.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture));
        }

        return new WrkResult(rps, Latency(output, "50%"), Latency(output, "99%"), requests, errors);
    }

    private static double Latency(string output, string percentile)
    {
        var match = Regex.Match(output, $@"^\s*{Regex.Escape(percentile)}\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        if (!match.Success)
        {
            return double.NaN;
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "us" => value / 1000,
            "s" => value * 1000,
            _ => value,
        };
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex Requests();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex NonSuccess();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();
}
