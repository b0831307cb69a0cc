using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.SignalR.Client;
using Platform.Benchmarks.Harness;

namespace Platform.Benchmarks.LiveLogs;

/// <summary>
/// Live logs on the real portal process: an application prints at 2,000 and at 10,000 lines a second, each line
/// stamped with when it was printed and numbered; a subscriber on /hubs/live (as the browser) measures what it
/// receives, how late, and what never came; the database says what was stored.
/// </summary>
internal sealed class LiveLogBenchmark : IBenchmark
{
    private static readonly int[] Rates = [2_000, 10_000];

    public string Name => "live-logs";

    public string Title => "Live logs: an application printing 2,000 and 10,000 lines a second";

    public bool NeedsSeed => false;

    public async Task RunAsync(BenchRun run, ReportSection section, CancellationToken cancellationToken)
    {
        // A minute in full mode: a p99 over 120,000 lines at 2,000 a second, so one pause of the portal shows in the
        // maximum without being all the percentile sees.
        var window = TimeSpan.FromSeconds(run.Options.Pick(60, 4));
        var warmUp = TimeSpan.FromSeconds(run.Options.Pick(3, 1));
        var settle = TimeSpan.FromSeconds(run.Options.Pick(5, 3));
        await using var live = await LiveApplications.StartAsync(run, "live-logs");
        var repository = await live.RepositoryAsync(new Dictionary<string, string> { ["app.py"] = Chatty.Source });
        var received = new ConcurrentQueue<(long Sequence, double LatencyMs)>();
        var measuring = 0;
        live.Hub.On<List<LiveLine>>("logs", lines =>
        {
            var now = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
            if (Volatile.Read(ref measuring) == 0)
            {
                return;
            }

            foreach (var line in lines)
            {
                if (Chatty.Parse(line.Message) is { } tick)
                {
                    received.Enqueue((tick.Sequence, (now - tick.PrintedAtNs) / 1e6));
                }
            }
        });

        var rows = new List<IReadOnlyList<string>>();
        foreach (var rate in Rates)
        {
            received.Clear();
            var application = await live.CreateAsync($"chatty-{rate}", repository, "python3 -u app.py",
                new Dictionary<string, string> { ["RATE"] = rate.ToString(CultureInfo.InvariantCulture) });
            var (_, posted) = await live.DeployAsync(application);
            await live.WaitRunningAsync(application, posted, TimeSpan.FromSeconds(90));
            await Task.Delay(warmUp, cancellationToken);
            Volatile.Write(ref measuring, 1);
            var from = DateTimeOffset.UtcNow;
            var rssBefore = run.Portal.RssBytes();
            await Task.Delay(window, cancellationToken);
            var to = DateTimeOffset.UtcNow;
            var rssAfter = run.Portal.RssBytes();
            var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];

            // Late lines still count as received (their latency says how late); what has not come after this never did.
            await Task.Delay(settle, cancellationToken);
            Volatile.Write(ref measuring, 0);
            await live.StopAsync(application);
            var stored = await StoredAsync(run, application, from, to);
            var inWindow = received.Where(r => r.Sequence >= stored.First && r.Sequence <= stored.Last)
                .DistinctBy(r => r.Sequence).ToList();
            double[] latencies = [.. inWindow.Select(r => r.LatencyMs).Order()];
            var printed = stored.Last - stored.First + 1;
            var seconds = (to - from).TotalSeconds;
            rows.Add(
            [
                rate.ToString("N0", CultureInfo.InvariantCulture),
                $"{printed / seconds:N0}",
                $"{inWindow.Count / seconds:N0}",
                $"{stored.Count / seconds:N0}",
                $"{printed - inWindow.Count:N0} ({100.0 * (printed - inWindow.Count) / Math.Max(1, printed):0.0} %)",
                $"{printed - stored.Distinct:N0}",
                stored.NotKept.ToString("N0", CultureInfo.InvariantCulture),
                Ms(latencies, 0.50), Ms(latencies, 0.95), Ms(latencies, 0.99), latencies.Length == 0 ? "–" : $"{latencies[^1]:0}",
                $"{stored.ReadP50:0} / {stored.ReadP99:0}",
                $"{rssBefore / 1048576.0:0} → {rssAfter / 1048576.0:0}",
                load,
            ]);
            if (rate == 2_000)
            {
                var p99 = BenchmarkProgram.Percentile(latencies, 0.99);
                section.Target("print → subscriber p99 at 2,000 lines/s", latencies.Length == 0 ? "nothing received" : $"{p99:0} ms", "< 250 ms", latencies.Length > 0 && p99 < 250);
            }
        }

        section.Paragraph($"Each rate: a fresh application (python, `RATE` variable) deployed on the portal process, {warmUp.TotalSeconds:0} s of warm-up, " +
            $"then a {window.TotalSeconds:0} s window. \"Printed\" is the numbered lines the application printed in the window (from the lowest to the highest " +
            $"number stored in it); \"received\" is those the SignalR subscriber got (late ones included, up to {settle.TotalSeconds:0} s after the window: the rest counts as not received, dropped or later than that), \"stored\" " +
            "the rows the database holds with their time in the window; \"not kept\" the lines the portal says it dropped (its queue's bound). " +
            "Latency is from the application's print (its clock) to the subscriber's handler (same machine, same clock); " +
            "\"print → portal read\" is the part before the portal had the line (the pipe and its reader), the rest is storing and sending.");
        section.Table(["rate asked", "printed/s", "received/s", "stored/s", $"not received (+{settle.TotalSeconds:0} s)", "lost stored", "not kept", "p50 ms", "p95 ms", "p99 ms", "max ms", "print → portal read p50/p99 ms", "portal RSS MB", "load"], rows);
    }

    private static string Ms(double[] sorted, double p) => sorted.Length == 0 ? "–" : $"{BenchmarkProgram.Percentile(sorted, p):0}";

    /// <summary>The window's stored lines; ReadP50/ReadP99: print → the portal reading the line (the row's time), in ms.</summary>
    private sealed record Stored(long First, long Last, long Count, long Distinct, long NotKept, double ReadP50, double ReadP99);

    /// <summary>What the database holds of the window: the numbered lines stored with their time in it, and the lines the portal says it did not keep.</summary>
    private static async Task<Stored> StoredAsync(BenchRun run, Guid application, DateTimeOffset from, DateTimeOffset to)
    {
        await using var connection = await run.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand("""
            WITH w AS (SELECT split_part(message, ' ', 2)::bigint AS n,
                              extract(epoch FROM created_at) * 1000 - split_part(message, ' ', 3)::numeric / 1e6 AS read_ms FROM log_line
                       WHERE service_id = @s AND created_at >= @from AND created_at < @to AND message LIKE 'tick %')
            SELECT coalesce(min(n), 0), coalesce(max(n), -1), count(*), count(DISTINCT n),
                   (SELECT coalesce(sum(split_part(message, ' ', 1)::bigint), 0) FROM log_line
                    WHERE service_id = @s AND stream = 'System' AND message LIKE '% line(s) were not kept%'),
                   coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY read_ms), 0), coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY read_ms), 0)
            FROM w
            """, connection);
        command.Parameters.AddWithValue("s", application);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var (first, last) = (reader.GetInt64(0), reader.GetInt64(1));
        // Distinct numbers between the first and the last stored: the rest were printed and never stored.
        return new Stored(first, last, reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetDouble(5), reader.GetDouble(6));
    }

    /// <summary>The part of a pushed log line this benchmark reads.</summary>
    private sealed record LiveLine(string Message);
}

/// <summary>A python application that prints <c>RATE</c> numbered lines a second ("tick N printed-at-ns"), in 100 bursts, and listens on $PORT.</summary>
internal static class Chatty
{
    public const string Source = """
        import os, sys, threading, time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        RATE = int(os.environ.get("RATE", "2000"))

        def chatter():
            n, per, period = 0, max(1, RATE // 100), 0.01
            due = time.time()
            out = sys.stdout
            while True:
                burst = []
                for _ in range(per):
                    burst.append(f"tick {n} {time.time_ns()}\n")
                    n += 1
                out.write("".join(burst))
                out.flush()
                due += period
                delay = due - time.time()
                if delay > 0:
                    time.sleep(delay)

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        threading.Thread(target=chatter, daemon=True).start()
        ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()
        """;

    public static (long Sequence, long PrintedAtNs)? Parse(string? message)
    {
        if (message is null || !message.StartsWith("tick ", StringComparison.Ordinal))
        {
            return null;
        }

        var space = message.IndexOf(' ', 5);
        return space > 0
            && long.TryParse(message.AsSpan(5, space - 5), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            && long.TryParse(message.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var at)
            ? (sequence, at)
            : null;
    }
}
