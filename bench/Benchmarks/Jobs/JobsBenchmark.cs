using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Platform.Benchmarks.Harness;
using Platform.Domain.Billing.Costs;

namespace Platform.Benchmarks.Jobs;

/// <summary>
/// The cost aggregation job's work (the domain's <see cref="CostAggregation"/>, which the Hangfire job calls) over a
/// whole month of usage, for 100 environments and then for 1,000: the running intervals written straight into the table
/// the engine writes, in organizations of the benchmark's own (made through the API), then the month aggregated.
/// The service is built here on the portal's database, as the portal builds it: the portal runs as a process apart.
/// </summary>
internal sealed class JobsBenchmark : IBenchmark
{
    private const int EnvironmentsPerOrganization = 100;

    public string Name => "jobs";

    public string Title => "Jobs: cost aggregation for 100 and 1,000 environments";

    public bool NeedsSeed => false;

    public async Task RunAsync(BenchRun run, ReportSection section, CancellationToken cancellationToken)
    {
        var intervalsPerEnvironment = run.Options.Pick(30, 10);
        var runs = run.Options.Pick(10, 3);
        var now = DateTimeOffset.UtcNow;
        // The last whole month: every interval of it is over or capped at its end, as the month close aggregates it.
        var month = new DateOnly(now.Year, now.Month, 1).AddMonths(-1);
        var aggregation = CostAggregations.On(run.ConnectionString);

        var rows = new List<IReadOnlyList<string>>();
        var medians = new Dictionary<int, double>();
        var environments = 0;
        foreach (var target in new[] { 100, 1_000 })
        {
            while (environments < target)
            {
                var organization = await run.Owner.CreateAsync("/api/organization", new { name = $"jobs-{environments / EnvironmentsPerOrganization}" });
                await WriteIntervalsAsync(run, organization, environments, intervalsPerEnvironment, month, cancellationToken);
                environments += EnvironmentsPerOrganization;
            }

            await using (var connection = await run.OpenConnectionAsync())
            {
                // Past the trial, so every second is billed; then fresh statistics, as autovacuum would have them.
                await using var prepare = new NpgsqlCommand("UPDATE billing_account SET trial_started_at = trial_started_at - interval '90 days'; ANALYZE service_running_interval", connection);
                await prepare.ExecuteNonQueryAsync(cancellationToken);
            }

            var times = new List<double>();
            var lines = 0;
            for (var i = 0; i <= runs; i++)
            {
                var watch = Stopwatch.StartNew();
                var result = await aggregation.RunAsync(now, null, month, cancellationToken);
                if (i > 0)
                {
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }

                lines = result.Lines;
            }

            if (lines != target)
            {
                throw new InvalidOperationException($"The aggregation wrote {lines} lines for {target} environments.");
            }

            double[] sorted = [.. times.Order()];
            medians[target] = BenchmarkProgram.Percentile(sorted, 0.5);
            rows.Add([target.ToString("N0", CultureInfo.InvariantCulture), (target * intervalsPerEnvironment).ToString("N0", CultureInfo.InvariantCulture),
                $"{medians[target]:0.0} ms", $"{sorted[^1]:0.0} ms", File.ReadAllText("/proc/loadavg").Split(' ')[0]]);
        }

        section.Paragraph($"`CostAggregation.RunAsync` (the work of the cost-aggregation job) built on the portal's database, for the month of {month:yyyy-MM}, " +
            $"{intervalsPerEnvironment} running intervals per environment across the month (1 or 2 instances, 0.5 core, 512 MB), " +
            $"{EnvironmentsPerOrganization} environments per organization; median of {runs} runs after one warm-up.");
        section.Table(["environments", "intervals", "median", "max", "load average"], rows);
        var ratio = medians[1_000] / medians[100];
        section.Target("aggregation of 1,000 environments (median)", $"{medians[1_000] / 1000:0.00} s", "< 5 s", medians[1_000] < 5_000);
        section.Target("growth 100 → 1,000 environments (ratio of medians)", $"{ratio:0.0}", "≤ 15 (close to linear)", ratio <= 15);
    }

    /// <summary>Intervals as the engine leaves them: one per release of each environment's one application, back to back over the month.</summary>
    private static async Task WriteIntervalsAsync(BenchRun run, Guid organization, int firstEnvironment, int perEnvironment, DateOnly month, CancellationToken cancellationToken)
    {
        var start = new DateTimeOffset(month.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var step = (start.AddMonths(1) - start) / perEnvironment;
        await using var connection = await run.OpenConnectionAsync();
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY service_running_interval (id, organization_id, project_id, project_name, environment_id, environment_name, cluster_id, service_id, deployment_id, " +
            "cpu, memory_mb, instances, started_at, ended_at, seen_at) FROM STDIN (FORMAT BINARY)", cancellationToken);
        var cluster = Guid.CreateVersion7();
        for (var e = firstEnvironment; e < firstEnvironment + EnvironmentsPerOrganization; e++)
        {
            var (project, environment, service) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
            for (var i = 0; i < perEnvironment; i++)
            {
                var from = start + (step * i);
                writer.StartRow();
                writer.Write(Guid.CreateVersion7(from), NpgsqlDbType.Uuid);
                writer.Write(organization, NpgsqlDbType.Uuid);
                writer.Write(project, NpgsqlDbType.Uuid);
                writer.Write($"project-{e / 10}", NpgsqlDbType.Varchar);
                writer.Write(environment, NpgsqlDbType.Uuid);
                writer.Write($"env-{e}", NpgsqlDbType.Varchar);
                writer.Write(cluster, NpgsqlDbType.Uuid);
                writer.Write(service, NpgsqlDbType.Uuid);
                writer.Write(Guid.CreateVersion7(from), NpgsqlDbType.Uuid);
                writer.Write(0.5m, NpgsqlDbType.Numeric);
                writer.Write(512, NpgsqlDbType.Integer);
                writer.Write(1 + (i % 2), NpgsqlDbType.Integer);
                writer.Write(from, NpgsqlDbType.TimestampTz);
                writer.Write(from + step, NpgsqlDbType.TimestampTz);
                writer.Write(from + step, NpgsqlDbType.TimestampTz);
            }
        }

        await writer.CompleteAsync(cancellationToken);
    }
}
