using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using Platform.Benchmarks.Harness;
using Platform.Benchmarks.Seeding;

namespace Platform.Benchmarks.Paging;

/// <summary>
/// Paging stays flat: the newest page (<c>tail=50</c>) and the entries after an id (<c>lastId</c>) of each history
/// list, on the SMALL side (10,000 rows) and on the BIG one (about 1,000,000), through the API of the portal process;
/// then the logs' text filter (<c>q=</c>) on BIG, with the query's plan.
/// </summary>
internal sealed class PagingBenchmark : IBenchmark
{
    private const double MaxRatio = 1.5;

    public string Name => "paging";

    public string Title => "Paging: 10,000 against 1,000,000 rows";

    public bool NeedsSeed => true;

    private sealed record HistoryList(string Name, Func<HistorySide, string> Path);

    private static readonly HistoryList[] Lists =
    [
        new("events of the environment", s => $"/api/environment/{s.EnvironmentId}/event"),
        new("logs of the application", s => $"/api/application/{s.ApplicationId}/log"),
        new("deployments of the environment", s => $"/api/environment/{s.EnvironmentId}/deployment"),
        new("deployments of the application", s => $"/api/application/{s.ApplicationId}/deployment"),
    ];

    public async Task RunAsync(BenchRun run, ReportSection section, CancellationToken cancellationToken)
    {
        var history = run.Seed!.History;
        var client = run.Owner.Client;
        var requests = run.Options.Pick(200, 40);
        var warmUp = run.Options.Pick(20, 5);
        var rows = new List<IReadOnlyList<string>>();
        var targets = new List<(string Measure, double Ratio)>();
        foreach (var list in Lists)
        {
            foreach (var mode in new[] { "tail=50", "lastId" })
            {
                var urls = new List<string>();
                foreach (var side in new[] { history.Small, history.Big })
                {
                    var url = $"{list.Path(side)}?tail=50";
                    if (mode == "lastId")
                    {
                        // The oldest of the newest 50: the answer is the 49 entries after it, oldest first.
                        var page = JsonNode.Parse(await GetAsync(client, url, cancellationToken))!["results"]!.AsArray();
                        url = $"{list.Path(side)}?lastId={page[^1]!["id"]!.GetValue<string>()}";
                    }

                    urls.Add(url);
                }

                var timings = await TimeAsync(client, urls, warmUp, requests, cancellationToken);
                var (small, big) = (timings[0], timings[1]);
                var ratio = big.Median / small.Median;
                rows.Add([list.Name, mode, small.ToString(), big.ToString(), $"{ratio:0.00}"]);
                targets.Add(($"{list.Name}, {mode}: BIG/SMALL median", ratio));
            }
        }

        section.Paragraph($"{requests} sequential GETs of each after {warmUp} to warm up, SMALL and BIG alternating (the order turning each round), by the owner's API token; " +
            $"SMALL holds {history.Small.Events:N0} events, {history.Small.LogLines:N0} log lines and {history.Small.Deployments:N0} deployments, " +
            $"BIG {history.Big.Events:N0}, {history.Big.LogLines:N0} and {history.Big.Deployments:N0}. Load average {LoadAverage()}.");
        section.Table(["list", "paging", "SMALL median · p95", "BIG median · p95", "BIG/SMALL"], rows);
        foreach (var (measure, ratio) in targets)
        {
            section.Target(measure, $"{ratio:0.00}", $"< {MaxRatio}", ratio < MaxRatio);
        }

        section.Paragraph("Plans of SMALL's events page (tail=50), EXPLAIN ANALYZE: as the portal reads it (the page's sequences from the list's index alone, " +
                          "then those rows), and as one query, the way it read it before (PostgreSQL walks the sequence index of the whole table backwards):");
        section.Paragraph("```\n" + await ExplainEventsPageAsync(run, history, cancellationToken) + "```");
        await TextFilterAsync(run, section, requests, warmUp, cancellationToken);
    }

    /// <summary>The SQL of EventService's page of an environment's events (HistoryPaging's keys first), and the one-query form it replaced, explained for SMALL.</summary>
    private static async Task<string> ExplainEventsPageAsync(BenchRun run, HistorySeed history, CancellationToken cancellationToken)
    {
        const string scope = "organization_id = @organization AND environment_id = @environment";
        await using var connection = await run.OpenConnectionAsync();
        var plans = new StringBuilder();
        foreach (var (name, sql) in new[]
        {
            ("keys first (now)", $"SELECT e.id, e.sequence FROM event AS e WHERE {scope} AND e.sequence IN " +
                                 $"(SELECT k.sequence FROM event AS k WHERE k.{scope.Replace(" AND ", " AND k.", StringComparison.Ordinal)} ORDER BY k.sequence DESC LIMIT 50) ORDER BY e.sequence DESC"),
            ("one query (before)", $"SELECT e.id, e.sequence FROM event AS e WHERE {scope} ORDER BY e.sequence DESC LIMIT 50"),
        })
        {
            await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS OFF, COSTS OFF) " + sql, connection);
            explain.Parameters.AddWithValue("organization", history.OrganizationId);
            explain.Parameters.AddWithValue("environment", history.Small.EnvironmentId);
            plans.AppendLine(name + ":");
            await using var reader = await explain.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                plans.AppendLine(reader.GetString(0));
            }

            plans.AppendLine();
        }

        return plans.ToString();
    }

    /// <summary>The logs' text filter: a rare text and a common one, on BIG's application, and the plan of the rare one's page and count.</summary>
    private static async Task TextFilterAsync(BenchRun run, ReportSection section, int requests, int warmUp, CancellationToken cancellationToken)
    {
        var history = run.Seed!.History;
        var rows = new List<IReadOnlyList<string>>();
        foreach (var (what, text) in new[] { ("rare (1 line in 5,000)", HistorySeeding.RareText.ToUpperInvariant()), ("common (1 line in 50)", "etimedout") })
        {
            var sides = new[] { history.Small, history.Big };
            var urls = sides.Select(side => $"/api/application/{side.ApplicationId}/log?tail=50&q={Uri.EscapeDataString(text)}").ToList();
            var timings = await TimeAsync(run.Owner.Client, urls, warmUp, requests, cancellationToken);
            for (var i = 0; i < sides.Length; i++)
            {
                var total = JsonNode.Parse(await GetAsync(run.Owner.Client, urls[i], cancellationToken))!["total"]!.GetValue<int>();
                rows.Add([$"q={text} ({what})", sides[i].Name, total.ToString("N0", CultureInfo.InvariantCulture), timings[i].ToString()]);
            }
        }

        section.Paragraph($"The logs' text filter (`q=`: the literal text, case-insensitive) with tail=50. Load average {LoadAverage()}.");
        section.Table(["filter", "side", "total", "median · p95"], rows);
        section.Paragraph("Plan of BIG's rare-text page and total, as the portal's query reads them (EXPLAIN ANALYZE):");
        section.Paragraph("```\n" + await ExplainAsync(run, history, HistorySeeding.RareText.ToLowerInvariant(), cancellationToken) + "```");
    }

    /// <summary>The SQL the portal sends for a filtered page of logs (LogService: lower(message) LIKE the escaped text), explained.</summary>
    private static async Task<string> ExplainAsync(BenchRun run, HistorySeed history, string text, CancellationToken cancellationToken)
    {
        await using var connection = await run.OpenConnectionAsync();
        var plans = new StringBuilder();
        foreach (var sql in new[]
        {
            "SELECT l.id, l.sequence, l.message FROM log_line AS l WHERE l.service_id = @service AND l.organization_id = @organization AND lower(l.message) LIKE @pattern ESCAPE '\\' ORDER BY l.sequence DESC LIMIT 50",
            "SELECT count(*)::int FROM log_line AS l WHERE l.service_id = @service AND l.organization_id = @organization AND lower(l.message) LIKE @pattern ESCAPE '\\'",
        })
        {
            await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS OFF, COSTS OFF) " + sql, connection);
            explain.Parameters.AddWithValue("service", history.Big.ApplicationId);
            explain.Parameters.AddWithValue("organization", history.OrganizationId);
            explain.Parameters.AddWithValue("pattern", "%" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%");
            await using var reader = await explain.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                plans.AppendLine(reader.GetString(0));
            }

            plans.AppendLine();
        }

        return plans.ToString();
    }

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private sealed record Timing(double[] Sorted)
    {
        public double Median => BenchmarkProgram.Percentile(Sorted, 0.5);

        public override string ToString() => $"{Median:0.0} ms · {BenchmarkProgram.Percentile(Sorted, 0.95):0.0} ms";
    }

    /// <summary>
    /// Times the urls side by side: each round GETs every one of them once, the order turning a step each round, so
    /// neither side always runs first or always after the other (warm caches, a load spike); warm-up rounds are not timed.
    /// </summary>
    private static async Task<Timing[]> TimeAsync(HttpClient client, List<string> urls, int warmUp, int requests, CancellationToken cancellationToken)
    {
        var times = urls.Select(_ => new List<double>(requests)).ToArray();
        for (var round = 0; round < warmUp + requests; round++)
        {
            for (var step = 0; step < urls.Count; step++)
            {
                var which = (round + step) % urls.Count;
                var watch = Stopwatch.StartNew();
                await GetAsync(client, urls[which], cancellationToken);
                if (round >= warmUp)
                {
                    times[which].Add(watch.Elapsed.TotalMilliseconds);
                }
            }
        }

        return [.. times.Select(t => new Timing([.. t.Order()]))];
    }

    private static async Task<string> GetAsync(HttpClient client, string url, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(url, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode ? body : throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode}: {body}");
    }
}
