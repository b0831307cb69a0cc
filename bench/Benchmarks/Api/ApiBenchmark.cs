using System.Globalization;
using System.Text.Json.Nodes;
using Platform.Benchmarks.Harness;

namespace Platform.Benchmarks.Api;

/// <summary>
/// The API against a hand-written baseline in the same run (issue 17, point 2): requests/s, p50 and p99 at 32
/// connections with wrk, for each endpoint on the portal and on <see cref="BaselineServer"/>; the figure is the ratio.
/// </summary>
internal sealed class ApiBenchmark : IBenchmark
{
    public const double TargetRatio = 0.6;
    public const double AimRatio = 0.8;

    public string Name => "api";

    public string Title => "API against a hand-written baseline";

    public bool NeedsSeed => true;

    /// <param name="Unstored">Properties (at any depth) only the platform can answer, as they are stored nowhere: left out of the comparison.</param>
    private sealed record Endpoint(string Label, string Path, bool HasBaseline, IReadOnlyList<string>? Unstored = null);

    /// <summary>
    /// What currentInstance answers from the runtime's in-process view and the baseline cannot read from the database:
    /// the runtime's id of each instance (never stored), and what each consumes now (the baseline has the sampler's last
    /// sample, up to one sampling period old), with the percentages and statuses that follow from it.
    /// </summary>
    private static readonly string[] RuntimeOnly =
        ["instance_id", "consumed_in_float", "consumed_in_mb", "consumed_in_gb", "consumed_in_percent", "status"];

    public async Task RunAsync(BenchRun run, ReportSection section, CancellationToken cancellationToken)
    {
        var seed = run.Seed!.Catalogue;
        var written = await HotData.WriteEventsAsync(run, seed, cancellationToken);
        var usage = await HotData.WriteUsageAsync(run, seed, cancellationToken);
        var deployed = await HotData.DeployAsync(run.Owner.Client, seed.HotApplicationId, run.Options.Pick(TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(90)), cancellationToken);
        var sampled = await HotData.WaitForSampleAsync(run, seed.HotApplicationId, run.Options.Pick(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30)), cancellationToken);
        var costLines = await HotData.AggregateCostAsync(run, seed, cancellationToken);
        section.Paragraph($"Hot data: {written} events written for the hot environment (up to {HotData.Events}), {usage} usage intervals for the hot organization " +
                          $"this month, the hot application (samples/hello-python) deployed: {deployed}; the portal's sampler stored a sample of it: {(sampled ? "yes" : "**no**")}. " +
                          $"The hot organization's trial made to end halfway through the month so far, then the cost aggregation's work (the domain's CostAggregation, " +
                          $"called here on the portal's database rather than waiting for the job) wrote {costLines} cost lines.");

        Endpoint[] endpoints =
        [
            new("GET /api/environment/{id}/event?tail=50", $"/api/environment/{seed.HotEnvironmentId}/event?tail=50", true),
            new("GET /api/application/{id}/environmentVariable", $"/api/application/{seed.HotApplicationId}/environmentVariable", true),
            new("GET /api/application/{id}/currentInstance", $"/api/application/{seed.HotApplicationId}/currentInstance", true, RuntimeOnly),
            new($"GET /api/project/{{id}}/environment ({Seeding.CatalogueSeeding.HotProjectEnvironments})", $"/api/project/{seed.HotProjectId}/environment", true),
            new("GET /api/organization/{id}/currentCost", $"/api/organization/{seed.HotOrganizationId}/currentCost", true),
            new("GET /healthz", "/healthz", true),
        ];

        await using var baseline = await BaselineServer.StartAsync(run.ConnectionString, run.Portal.Address);
        var (differences, answers) = await CompareAsync(run, baseline, endpoints, cancellationToken);
        section.Paragraph(differences.Count == 0
            ? $"Every baseline answer equals the platform's (both parsed as JSON and compared; for currentInstance without {string.Join(", ", RuntimeOnly)}, which only the runtime knows)."
            : "**The baseline's answer differs from the platform's:** " + string.Join("; ", differences));
        section.Paragraph(Figures(answers[endpoints[2].Path], answers[endpoints[4].Path]));

        var duration = TimeSpan.FromSeconds(run.Options.Pick(10, 3));
        var warmUp = TimeSpan.FromSeconds(run.Options.Pick(3, 1));
        // Two rounds in the full run, the second in the other order (platform, baseline, baseline, platform): a machine
        // that slows or speeds up during an endpoint's measurement weighs on both sides alike.
        var rounds = run.Options.Pick(2, 1);
        var rows = new List<IReadOnlyList<string>>();
        foreach (var endpoint in endpoints)
        {
            var platform = new Measured();
            var hand = endpoint.HasBaseline ? new Measured() : null;
            var name = TraceName(endpoint.Label);
            var sides = new List<Func<int, Task>>
            {
                async round =>
                {
                    var traced = round == 0 ? await Traces.StartAsync(run.Portal.Pid, name, warmUp + duration, cancellationToken) : Task.CompletedTask;
                    platform.Add(await MeasureAsync(run, run.Portal.Pid, new Uri(run.Portal.Address, endpoint.Path), name, warmUp, duration, cancellationToken));
                    await traced;
                },
            };
            if (hand is not null)
            {
                sides.Add(async _ => hand.Add(await MeasureAsync(run, Environment.ProcessId, new Uri(baseline.Address, endpoint.Path), name + "-baseline", warmUp, duration, cancellationToken)));
            }

            for (var round = 0; round < rounds; round++)
            {
                foreach (var measure in round % 2 == 0 ? sides : Enumerable.Reverse(sides))
                {
                    await measure(round);
                }
            }

            var ratio = hand is null ? double.NaN : platform.RequestsPerSecond / hand.RequestsPerSecond;
            // A side that answered errors measured something else than the answer: its ratio is shown, never met.
            var failed = platform.Errors > 0 || hand is { Errors: > 0 };
            var ratioText = hand is null ? "no baseline" : ratio.ToString("0.00", CultureInfo.InvariantCulture) + (failed ? " (errors: not valid)" : "");
            rows.Add([endpoint.Label, platform.Describe(), hand is null ? "—" : hand.Describe(), ratioText, platform.PerRequest(), hand is null ? "—" : hand.PerRequest()]);
            if (hand is not null)
            {
                section.Target($"{endpoint.Label}: platform/baseline requests/s", ratioText, $"≥ {TargetRatio:0.0}", ratio >= TargetRatio && !failed);
            }
        }

        var roundsText = rounds > 1 ? $", {rounds} rounds each (the second in the other order), figures averaged over them" : "";
        section.Table(["endpoint", "platform rps · p50 · p99", "baseline rps · p50 · p99", "ratio", "platform CPU/request: server · PostgreSQL", "baseline CPU/request: server · PostgreSQL"], rows);
        section.Paragraph(string.Create(CultureInfo.InvariantCulture,
            $"wrk -t2 -c{Wrk.Connections} -d{duration.TotalSeconds:0}s --timeout 10s after a {warmUp.TotalSeconds:0} s warm-up, portal and baseline one after the other on the same " +
            $"database{roundsText}; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end. The target is a ratio of {TargetRatio:0.0}; the aim is {AimRatio:0.0}. " +
            $"The baseline is Kestrel with one RequestDelegate, NpgsqlDataSource and hand-written SQL doing the same token check, membership check and query, " +
            $"writing the same JSON with Utf8JsonWriter. currentCost reads the figures the aggregation stored (billing_month, environment_month_cost), the account, " +
            $"plan, credit and deployment count, with the OWNER/ADMIN check. currentInstance is not the same work on both sides: the platform asks the runtime " +
            $"in its process for each instance's id and what it consumes now (the runtime reads the instances' processes), where the baseline reads the " +
            $"application's settings and the sampler's last stored sample of each instance; its ratio compares those two ways of answering. " +
            $"CPU/request is the user and system time the serving process (the portal, or this program for the baseline) and PostgreSQL's processes " +
            $"spent during the measured window, from /proc, divided by the requests answered: on two cores shared with wrk it is what an answer costs."));
    }

    private static string TraceName(string label) =>
        string.Concat(label.Where(char.IsAsciiLetterOrDigit).Select(char.ToLowerInvariant));

    /// <summary>wrk's figures after a warm-up, and the CPU the serving process (<paramref name="serverPid"/>) and PostgreSQL spent meanwhile.</summary>
    private static async Task<(WrkResult Result, TimeSpan Server, TimeSpan Postgres)> MeasureAsync(
        BenchRun run, int serverPid, Uri url, string name, TimeSpan warmUp, TimeSpan duration, CancellationToken cancellationToken)
    {
        await Wrk.RunAsync(url, run.Owner.Token, warmUp, cancellationToken);
        await Statements.ResetAsync(run.ConnectionString, cancellationToken);
        var before = CpuSnapshot.Take(serverPid);
        var result = await Wrk.RunAsync(url, run.Owner.Token, duration, cancellationToken);
        var (server, postgres) = CpuSnapshot.Take(serverPid).Since(before);
        await Statements.WriteAsync(run.ConnectionString, name, result.Requests, cancellationToken);
        return (result, server, postgres);
    }

    /// <summary>One side's rounds: requests/s and latencies averaged over them, CPU per request over all their requests.</summary>
    private sealed class Measured
    {
        private readonly List<WrkResult> _rounds = [];
        private TimeSpan _server;
        private TimeSpan _postgres;

        public double RequestsPerSecond => _rounds.Average(r => r.RequestsPerSecond);

        public long Errors => _rounds.Sum(r => r.Errors);

        public void Add((WrkResult Result, TimeSpan Server, TimeSpan Postgres) round)
        {
            _rounds.Add(round.Result);
            _server += round.Server;
            _postgres += round.Postgres;
        }

        public string Describe()
        {
            var mean = new WrkResult(RequestsPerSecond, _rounds.Average(r => r.P50Ms), _rounds.Average(r => r.P99Ms), _rounds.Sum(r => r.Requests), Errors);
            return Errors > 0 ? $"{mean.Describe()} (**{Errors} errors**)" : mean.Describe();
        }

        public string PerRequest()
        {
            var requests = _rounds.Sum(r => r.Requests);
            return requests == 0
                ? "—"
                : string.Create(CultureInfo.InvariantCulture, $"{_server.TotalMilliseconds / requests:0.00} ms · {_postgres.TotalMilliseconds / requests:0.00} ms");
        }
    }

    /// <summary>Each baseline answer against the platform's, parsed: the list of endpoints where they differ, and how.</summary>
    private static async Task<(List<string> Differences, Dictionary<string, string> Answers)> CompareAsync(
        BenchRun run, BaselineServer baseline, IEnumerable<Endpoint> endpoints, CancellationToken cancellationToken)
    {
        var answers = new Dictionary<string, string>();
        using var client = new HttpClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", run.Owner.Token);
        var differences = new List<string>();
        foreach (var endpoint in endpoints.Where(e => e.HasBaseline))
        {
            var platform = await client.GetAsync(new Uri(run.Portal.Address, endpoint.Path), cancellationToken);
            var hand = await client.GetAsync(new Uri(baseline.Address, endpoint.Path), cancellationToken);
            var platformText = await platform.Content.ReadAsStringAsync(cancellationToken);
            var handText = await hand.Content.ReadAsStringAsync(cancellationToken);
            answers[endpoint.Path] = platformText;
            if (platform.StatusCode != hand.StatusCode)
            {
                differences.Add($"{endpoint.Label}: status {(int)platform.StatusCode} against {(int)hand.StatusCode}");
                continue;
            }

            var equal = endpoint.Path == "/healthz"
                ? platformText == handText
                : JsonNode.DeepEquals(Stored(platformText, endpoint.Unstored), Stored(handText, endpoint.Unstored));
            if (!equal)
            {
                differences.Add($"{endpoint.Label}: {FirstDifference(platformText, handText)}");
                Console.Error.WriteLine($"platform: {platformText}");
                Console.Error.WriteLine($"baseline: {handText}");
            }
        }

        // The negative case too: another organization's id answers 404 on both.
        var stranger = await client.GetAsync(new Uri(baseline.Address, $"/api/project/{Guid.NewGuid()}/environment"), cancellationToken);
        if ((int)stranger.StatusCode != 404)
        {
            differences.Add($"the baseline answered {(int)stranger.StatusCode} for an unknown project");
        }

        return (differences, answers);
    }

    /// <summary>A JSON answer without the properties named (at any depth).</summary>
    private static JsonNode? Stored(string json, IReadOnlyList<string>? unstored)
    {
        var node = JsonNode.Parse(json);
        if (unstored is not null)
        {
            Strip(node, unstored);
        }

        return node;
    }

    private static void Strip(JsonNode? node, IReadOnlyList<string> names)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var name in names)
                {
                    o.Remove(name);
                }

                foreach (var (_, child) in o)
                {
                    Strip(child, names);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    Strip(child, names);
                }

                break;
        }
    }

    /// <summary>That the two answers measured are not empty ones: the instances listed, the month's cost and its lines.</summary>
    private static string Figures(string instances, string cost)
    {
        var listed = JsonNode.Parse(instances)?["results"]?.AsArray().Count ?? 0;
        var answer = JsonNode.Parse(cost);
        var cents = answer?["cost"]?["total_in_cents"]?.GetValue<long>() ?? 0;
        var projects = answer?["community_usage"]?["projects"]?.AsArray() ?? [];
        var environments = projects.Sum(p => p?["environments"]?.AsArray().Count ?? 0);
        return string.Create(CultureInfo.InvariantCulture,
            $"Measured answers: currentInstance lists {(listed > 0 ? listed.ToString(CultureInfo.InvariantCulture) : "**no**")} instance(s); currentCost answers a cost of " +
            $"{(cents > 0 ? $"{cents / 100m:0.00}" : "**0**")} ({answer?["cost"]?["currency_code"]}) over {projects.Count} project(s) and {environments} environment(s), " +
            $"plan {answer?["plan"]}, {answer?["remaining_trial_day"]} trial day(s) left.");
    }

    /// <summary>Where two JSON texts part, as a short excerpt of each.</summary>
    private static string FirstDifference(string platform, string baseline)
    {
        var a = JsonNode.Parse(platform)!.ToJsonString();
        var b = JsonNode.Parse(baseline)!.ToJsonString();
        var i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i])
        {
            i++;
        }

        var from = Math.Max(0, i - 40);
        return $"platform `…{a[from..Math.Min(a.Length, i + 60)]}…` baseline `…{b[from..Math.Min(b.Length, i + 60)]}…`";
    }
}
