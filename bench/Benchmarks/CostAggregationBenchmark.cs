using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using Platform.Domain.Billing.Costs;
using Platform.Tests.Support;

namespace Platform.Benchmarks;

/// <summary>
/// The cost aggregation at 1,000 environments (<c>dotnet run -c Release -- costs</c>): 10 organizations, 1,000
/// environments with three running intervals each this month (one still open), written straight into the table the
/// engine writes; then the whole month aggregated ten times, as the recurring job does.
/// </summary>
internal static class CostAggregationBenchmark
{
    public static async Task<int> RunAsync(PortalFactory portal)
    {
        Console.WriteLine("== Cost aggregation: 1,000 environments, 3,000 running intervals ==");
        var organizations = new List<Guid>();
        var (owner, _) = await portal.CreateUserClientAsync();
        for (var i = 0; i < 10; i++)
        {
            organizations.Add(await owner.PostForIdAsync("/api/organization", new { name = $"bench-{i}" }));
        }

        var now = DateTimeOffset.UtcNow;
        var start = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var step = (now - start) / 3_100; // every interval starts this month, before now
        await using (var connection = new NpgsqlConnection(portal.ConnectionString))
        {
            await connection.OpenAsync();
            await using (var trialOver = new NpgsqlCommand("UPDATE billing_account SET trial_started_at = trial_started_at - interval '30 days'", connection))
            {
                await trialOver.ExecuteNonQueryAsync();
            }

            await using var writer = await connection.BeginBinaryImportAsync(
                "COPY service_running_interval (id, organization_id, project_id, project_name, environment_id, environment_name, cluster_id, service_id, deployment_id, " +
                "cpu, memory_mb, instances, started_at, ended_at, seen_at) FROM STDIN (FORMAT BINARY)");
            for (var e = 0; e < 1_000; e++)
            {
                var organization = organizations[e % organizations.Count];
                var (project, environment, cluster, service) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
                for (var i = 0; i < 3; i++)
                {
                    var from = start + (step * ((e * 3) + i));
                    await writer.StartRowAsync();
                    await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                    await writer.WriteAsync(organization, NpgsqlDbType.Uuid);
                    await writer.WriteAsync(project, NpgsqlDbType.Uuid);
                    await writer.WriteAsync($"project-{e / 10}", NpgsqlDbType.Varchar);
                    await writer.WriteAsync(environment, NpgsqlDbType.Uuid);
                    await writer.WriteAsync($"env-{e}", NpgsqlDbType.Varchar);
                    await writer.WriteAsync(cluster, NpgsqlDbType.Uuid);
                    await writer.WriteAsync(service, NpgsqlDbType.Uuid);
                    await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                    await writer.WriteAsync(0.5m, NpgsqlDbType.Numeric);
                    await writer.WriteAsync(512, NpgsqlDbType.Integer);
                    await writer.WriteAsync(1 + (i % 2), NpgsqlDbType.Integer);
                    await writer.WriteAsync(from, NpgsqlDbType.TimestampTz);
                    if (i < 2)
                    {
                        await writer.WriteAsync(from + (step / 2), NpgsqlDbType.TimestampTz);
                    }
                    else
                    {
                        await writer.WriteNullAsync();
                    }

                    await writer.WriteAsync(from, NpgsqlDbType.TimestampTz);
                }
            }

            await writer.CompleteAsync();
        }

        var times = new List<double>();
        for (var run = 0; run < 11; run++)
        {
            using var scope = portal.Services.CreateScope();
            var aggregation = scope.ServiceProvider.GetRequiredService<CostAggregation>();
            var watch = Stopwatch.StartNew();
            var result = await aggregation.RunAsync(DateTimeOffset.UtcNow, null, null, CancellationToken.None);
            if (run > 0)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
            }

            if (result.Lines != 1_000)
            {
                Console.WriteLine($"Expected 1,000 lines, got {result.Lines}.");
                return 1;
            }
        }

        double[] ordered = [.. times.Order()];
        Console.WriteLine($"aggregation of the month: median {ordered[ordered.Length / 2]:0.0} ms · max {ordered[^1]:0.0} ms (10 runs)");
        return 0;
    }
}
