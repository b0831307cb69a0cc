using System.Globalization;
using System.Text.Json;
using Platform.Benchmarks.Harness;

namespace Platform.Benchmarks.Deploy;

/// <summary>
/// What a deployment costs beyond the application's own start: an application that takes <see cref="StartSeconds"/>
/// to listen (no build step), timed from POST /deploy to the hub's RUNNING push, for a first deploy and for a redeploy
/// of a new commit (a fresh clone, nothing reused); with where the time went, from the deployment's steps and the
/// runtime's own log lines.
/// </summary>
internal sealed class DeployOverheadBenchmark : IBenchmark
{
    private const double StartSeconds = 1.0;

    public string Name => "deploy";

    public string Title => "Deployment overhead: POST /deploy to RUNNING, minus the application's own start";

    public bool NeedsSeed => false;

    public async Task RunAsync(BenchRun run, ReportSection section, CancellationToken cancellationToken)
    {
        var repetitions = run.Options.Pick(5, 1);
        await using var live = await LiveApplications.StartAsync(run, "deploy");
        var overheads = new Dictionary<string, List<double>> { ["first deploy"] = [], ["redeploy (new commit)"] = [] };
        var breakdowns = new List<IReadOnlyList<string>>();
        for (var i = 0; i < repetitions; i++)
        {
            var repository = await live.RepositoryAsync(new Dictionary<string, string> { ["app.py"] = SlowStart.Source("1") });
            var application = await live.CreateAsync($"slow-start-{i}", repository, "python3 -u app.py");
            foreach (var kind in overheads.Keys)
            {
                if (kind != "first deploy")
                {
                    await repository.CommitAsync(new Dictionary<string, string> { ["app.py"] = SlowStart.Source("2") }, "Second version");
                }

                var (deployment, posted) = await live.DeployAsync(application);
                var running = await live.WaitRunningAsync(application, posted, TimeSpan.FromSeconds(60));
                var total = LiveApplications.Milliseconds(posted, running);
                overheads[kind].Add(total - StartSeconds * 1000);
                var postedAt = DateTimeOffset.UtcNow.AddMilliseconds(-LiveApplications.Milliseconds(posted, System.Diagnostics.Stopwatch.GetTimestamp()));
                breakdowns.Add([kind, $"{i + 1}", $"{total:0}", .. await BreakdownAsync(run, live, application, deployment, postedAt, total)]);
            }

            await live.StopAsync(application);
        }

        var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        section.Paragraph($"An application (python) that sleeps {StartSeconds:0.0} s, then listens (TCP readiness probe, period 1 s); no build command. " +
            $"{repetitions} repetitions of each. Overhead = time from POST /api/application/{{id}}/deploy to the hub's RUNNING push, minus {StartSeconds:0.0} s. " +
            $"A redeploy first pushes a new commit, so it fetches and starts from nothing the previous one had. Load average at the end: {load}.");
        section.Table(["deploy", "median overhead ms", "max overhead ms"], overheads.Select(o =>
        {
            double[] sorted = [.. o.Value.Order()];
            return (IReadOnlyList<string>)[o.Key, $"{BenchmarkProgram.Percentile(sorted, 0.5):0}", $"{sorted[^1]:0}"];
        }));
        foreach (var (kind, values) in overheads)
        {
            double[] sorted = [.. values.Order()];
            var median = BenchmarkProgram.Percentile(sorted, 0.5);
            section.Target($"deploy overhead, {kind} (median)", $"{median:0} ms", "< 1,000 ms", median < 1000);
        }

        section.Paragraph("Where the time goes, in ms from the POST (the deployment's steps as the hub pushed them, the runtime's own log lines, " +
            "and the application's first line, which it prints as it starts): queue = the service deployment's start; fetch, build = their steps; " +
            "sandbox+launch = start step begun → \"Instance … started\"; app start = → the app's \"listening\" line (includes its 1 s sleep); " +
            "probe = → \"is ready\"; switch = → the Start step's end and the Switch traffic step's; push = deployment finished → RUNNING received.");
        section.Table(["deploy", "#", "total ms", "queue", "fetch", "build", "sandbox+launch", "app start", "probe", "switch", "push"], breakdowns);
    }

    /// <summary>The phases of one deployment, each as the time it ended, in ms after the POST.</summary>
    private static async Task<string[]> BreakdownAsync(BenchRun run, LiveApplications live, Guid application, Guid deployment, DateTimeOffset posted, double total)
    {
        string At(DateTimeOffset? at) => at is { } t ? ((t - posted).TotalMilliseconds).ToString("0", CultureInfo.InvariantCulture) : "–";
        DateTimeOffset? Time(JsonElement e, string property) =>
            e.TryGetProperty(property, out var p) && p.ValueKind == JsonValueKind.String ? p.GetDateTimeOffset() : null;

        // The last pushes (the deployment's end) and the runtime's lines (stored within the log writer's flush) come just after RUNNING.
        await Task.Delay(300);
        var push = live.LastDeploymentPush(deployment);
        DateTimeOffset? queued = null, fetched = null, built = null, startBegun = null, switched = null, finished = null;
        if (push is { } d && d.GetProperty("services").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } service)
        {
            queued = Time(service, "started_at");
            finished = Time(d, "finished_at") ?? Time(service, "finished_at");
            foreach (var step in service.GetProperty("steps").EnumerateArray())
            {
                switch (step.GetProperty("name").GetString())
                {
                    case "Fetch":
                        fetched = Time(step, "finished_at");
                        break;
                    case "Build":
                        built = Time(step, "finished_at");
                        break;
                    case "Start":
                        startBegun = Time(step, "started_at");
                        break;
                    case "Switch traffic":
                        switched = Time(step, "finished_at");
                        break;
                }
            }
        }

        // The rows keep when the portal got each line (the app's own, the runtime's).
        await using var connection = await run.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand("""
            SELECT
              min(created_at) FILTER (WHERE message LIKE 'Instance % started:%'),
              min(created_at) FILTER (WHERE message LIKE 'listening %'),
              min(created_at) FILTER (WHERE message LIKE 'Instance % is ready%')
            FROM log_line WHERE service_id = @s AND created_at >= @posted
            """, connection);
        command.Parameters.AddWithValue("s", application);
        command.Parameters.AddWithValue("posted", posted);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        DateTimeOffset? Read(int i) => reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);
        return [At(queued), At(fetched), At(built), At(Read(0)) + (startBegun is null ? "" : $" (from {At(startBegun)})"), At(Read(1)), At(Read(2)), At(switched), $"{At(finished)} → {total:0}"];
    }
}

/// <summary>A python application whose own start takes one second: it prints, sleeps, then listens on $PORT.</summary>
internal static class SlowStart
{
    public static string Source(string version) => $$"""
        import os, socket, time
        # version {{version}}
        time.sleep(1.0)
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("0.0.0.0", int(os.environ["PORT"])))
        server.listen(64)
        print(f"listening {time.time_ns()}", flush=True)
        while True:
            connection, _ = server.accept()
            connection.close()
        """;
}
