using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Access;
using Platform.Domain.Metrics;
using Platform.Domain.Runtime;
using Platform.Tests.Metrics;
using Platform.Tests.Support;

namespace Platform.Benchmarks;

/// <summary>
/// The metric figures of the README: an application with 8 instances, 30 days of minute and hour roll-ups and 24 h of raw
/// samples stored; the time of MetricsService.SeriesAsync and of GET /metric/cpu for 1, 7 and 30 days, and of one sample's
/// write (8 instances and their roll-ups).
/// </summary>
internal static class MetricsBenchmark
{
    private const int Instances = 8;
    private const int Runs = 200;

    public static async Task<int> RunAsync(PortalFactory portal, Catalogue c)
    {
        Console.WriteLine("== Metric series: 30 days of roll-ups and 24 h of raw samples of 8 instances ==");
        var now = DateTimeOffset.UtcNow;
        var seeding = Stopwatch.StartNew();
        await MetricSeeding.SeedRollupsAsync(portal.ConnectionString, c.ApplicationId, MetricRollup.Minute, days: 30, Instances, now);
        await MetricSeeding.SeedRollupsAsync(portal.ConnectionString, c.ApplicationId, MetricRollup.Hour, days: 30, Instances, now);
        await MetricSeeding.SeedRawAsync(portal.ConnectionString, c.ApplicationId, hours: 24, Instances, now);
        Console.WriteLine($"seeded in {seeding.Elapsed.TotalSeconds:0} s");

        await using var scope = portal.Services.CreateAsyncScope();
        var metrics = scope.ServiceProvider.GetRequiredService<MetricsService>();
        var caller = new Caller((await c.Owner.GetFromJsonAsync<JsonObject>("/api/user"))!["id"]!.GetValue<Guid>());
        foreach (var days in new[] { 1, 7, 30 })
        {
            var points = 0;
            var service = await TimeAsync(async () =>
            {
                var series = await metrics.SeriesAsync(caller, c.ApplicationId, MetricKind.Cpu, days);
                points = series.Value.Max(s => s.Data.Count);
            });
            var api = await TimeAsync(async () => (await c.Owner.GetAsync($"/api/application/{c.ApplicationId}/metric/cpu?lastDays={days}")).EnsureSuccessStatusCode());
            Console.WriteLine($"lastDays={days}: {points} points × {Instances} series · SeriesAsync {service} · GET {api}");
        }

        var store = portal.Services.GetRequiredService<MetricStore>();
        var at = now.AddSeconds(1);
        var write = await TimeAsync(async () =>
        {
            at = at.AddSeconds(10);
            await store.WriteAsync(at, [new ApplicationSnapshot(c.ApplicationId, Guid.NewGuid(), Instances, Enumerable.Range(1, Instances)
                .Select(slot => new InstanceSnapshot($"i-{slot}", Guid.NewGuid(), InstanceState.Ready, 0, 0.2, 100, at) { Slot = slot, StorageGb = 0.5, LastProbe = new ProbeResult(true, 5, at) })
                .ToList())]);
        });
        Console.WriteLine($"one sample of {Instances} instances with its roll-ups: {write}");
        return 0;
    }

    private sealed record Timing(double[] Sorted)
    {
        public override string ToString() => $"p50 {BenchmarkProgram.Percentile(Sorted, 0.5):0.0} ms · p95 {BenchmarkProgram.Percentile(Sorted, 0.95):0.0} ms";
    }

    /// <summary>Runs it 20 times to warm up, then <see cref="Runs"/> times, timed.</summary>
    private static async Task<Timing> TimeAsync(Func<Task> run)
    {
        var times = new List<double>();
        for (var i = 0; i < Runs + 20; i++)
        {
            var watch = Stopwatch.StartNew();
            await run();
            if (i >= 20)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        return new Timing([.. times.Order()]);
    }
}
