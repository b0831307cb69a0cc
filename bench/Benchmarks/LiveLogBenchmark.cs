using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;
using NpgsqlTypes;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Benchmarks;

/// <summary>
/// The live-log figures of the README: a subscriber's latency while an application prints 2,000 lines a second,
/// and the time of GET /log?tail=50 with ten thousand and with a million stored lines.
/// </summary>
internal static class LiveLogBenchmark
{
    public static async Task<int> RunAsync(PortalFactory portal, Catalogue c)
    {

        Console.WriteLine("== Live log latency: an application printing 2,000 lines a second ==");
        using var repository = await TestGitRepository.CreateAsync(new Dictionary<string, string> { ["app.py"] = Chatty.Source });
        var application = await c.Owner.PostForIdAsync($"/api/environment/{c.EnvironmentId}/application", new
        {
            name = "chatty",
            git_repository = new { url = repository.Url, branch = "main", root_path = "/" },
            start_command = "python3 app.py",
            port = 8080,
            memory = 256,
            healthchecks = new { readiness_probe = new { type = "TCP", period_seconds = 1, timeout_seconds = 2, failure_threshold = 10 } },
        });
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(portal.ServerAddress, "/hubs/live"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(c.Owner.DefaultRequestHeaders.Authorization!.Parameter))
            .Build();
        var latencies = new List<double>();
        var measuring = false;
        hub.On<JsonArray>("logs", lines =>
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000L;
            lock (latencies)
            {
                foreach (var line in lines)
                {
                    var text = line!["message"]!.GetValue<string>();
                    if (measuring && text.StartsWith("tick ", StringComparison.Ordinal))
                    {
                        var emitted = long.Parse(text.Split(' ')[2], CultureInfo.InvariantCulture);
                        latencies.Add((now - emitted) / 1e6);
                    }
                }
            }
        });
        await hub.StartAsync();
        await hub.InvokeAsync("SubscribeApplication", application);
        (await c.Owner.PostAsync($"/api/application/{application}/deploy", null)).EnsureSuccessStatusCode();
        for (var i = 0; i < 120 && (await c.Owner.GetFromJsonAsync<JsonObject>($"/api/application/{application}/status"))!["status"]!["state"]!.GetValue<string>() != "RUNNING"; i++)
        {
            await Task.Delay(500);
        }

        await Task.Delay(3000); // warm-up
        measuring = true;
        var window = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(20));
        measuring = false;
        double[] sorted;
        lock (latencies)
        {
            sorted = [.. latencies.Order()];
        }

        Console.WriteLine($"lines received: {sorted.Length} in {window.Elapsed.TotalSeconds:0.0} s ({sorted.Length / window.Elapsed.TotalSeconds:0} a second)");
        Console.WriteLine($"latency ms: p50 {BenchmarkProgram.Percentile(sorted, 0.50):0} · p95 {BenchmarkProgram.Percentile(sorted, 0.95):0} · p99 {BenchmarkProgram.Percentile(sorted, 0.99):0} · max {sorted[^1]:0}");
        (await c.Owner.PostAsync($"/api/application/{application}/stop", null)).EnsureSuccessStatusCode();

        Console.WriteLine("== GET /log?tail=50 with 10,000 and with 1,000,000 stored lines ==");
        var small = await c.Owner.PostForIdAsync($"/api/environment/{c.EnvironmentId}/application", new { name = "small", git_repository = new { url = "/srv/none.git" }, start_command = "true" });
        var large = await c.Owner.PostForIdAsync($"/api/environment/{c.EnvironmentId}/application", new { name = "large", git_repository = new { url = "/srv/none.git" }, start_command = "true" });
        await FillAsync(portal.ConnectionString, c.OrganizationId, small, 10_000);
        await FillAsync(portal.ConnectionString, c.OrganizationId, large, 1_000_000);
        foreach (var (name, id) in new[] { ("10,000 lines", small), ("1,000,000 lines", large) })
        {
            var times = new List<double>();
            for (var i = 0; i < 220; i++)
            {
                var watch = Stopwatch.StartNew();
                (await c.Owner.GetAsync($"/api/application/{id}/log?tail=50")).EnsureSuccessStatusCode();
                if (i >= 20)
                {
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }
            }

            double[] ordered = [.. times.Order()];
            Console.WriteLine($"{name}: median {BenchmarkProgram.Percentile(ordered, 0.5):0.0} ms · p95 {BenchmarkProgram.Percentile(ordered, 0.95):0.0} ms (200 requests)");
        }

        return 0;
    }

    // Stored lines, written as the portal's log writer writes them (binary COPY), with the per-service counter.
    private static async Task FillAsync(string connectionString, Guid organizationId, Guid serviceId, int count)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY log_line (id, organization_id, service_id, deployment_id, instance, stream, message, created_at) FROM STDIN (FORMAT BINARY)"))
        {
            var start = DateTimeOffset.UtcNow.AddHours(-1);
            for (var i = 0; i < count; i++)
            {
                var at = start.AddTicks(i);
                await writer.StartRowAsync();
                await writer.WriteAsync(Guid.CreateVersion7(at), NpgsqlDbType.Uuid);
                await writer.WriteAsync(organizationId, NpgsqlDbType.Uuid);
                await writer.WriteAsync(serviceId, NpgsqlDbType.Uuid);
                await writer.WriteNullAsync();
                await writer.WriteAsync("web-1", NpgsqlDbType.Varchar);
                await writer.WriteAsync("Stdout", NpgsqlDbType.Varchar);
                await writer.WriteAsync($"GET /orders/{i} 200 in 3 ms", NpgsqlDbType.Varchar);
                await writer.WriteAsync(at, NpgsqlDbType.TimestampTz);
            }

            await writer.CompleteAsync();
        }

        await using var counter = new NpgsqlCommand("INSERT INTO log_count (service_id, lines) VALUES (@s, @n) ON CONFLICT (service_id) DO UPDATE SET lines = excluded.lines; ANALYZE log_line", connection);
        counter.Parameters.AddWithValue("s", serviceId);
        counter.Parameters.AddWithValue("n", (long)count);
        await counter.ExecuteNonQueryAsync();
    }
}

/// <summary>A Python application that prints 2,000 lines a second, each stamped with the time it was printed.</summary>
internal static class Chatty
{
    public const string Source = """
        import os, sys, threading, time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        def chatter():
            n = 0
            while True:
                started = time.time()
                for _ in range(100):
                    sys.stdout.write(f"tick {n} {time.time_ns()}\n")
                    n += 1
                sys.stdout.flush()
                time.sleep(max(0.0, 0.05 - (time.time() - started)))

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.end_headers()

        threading.Thread(target=chatter, daemon=True).start()
        ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
        """;
}
