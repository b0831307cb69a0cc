using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Domain.Metrics;
using Platform.Domain.Runtime;
using Platform.Portal.Metrics;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Metrics;

/// <summary>The metrics API: the scale and instances now, series over time from the stored samples, retention, the hub.</summary>
public sealed class MetricsApiTests(MetricsPortal fake) : IClassFixture<MetricsPortal>
{
    private const double Tolerance = 1e-9;

    private PortalFactory Portal => fake.Portal;

    private MetricStore Store => Portal.Services.GetRequiredService<MetricStore>();

    [Fact]
    public async Task Series_FromTheMinuteAndHourRollups_AverageExactlyTheRawSamplesOfTheirTime()
    {
        var team = await RuntimeTeam.OfAsync(Portal);
        var application = await CreateAsync(team);
        var now = DateTimeOffset.UtcNow;
        var raw = new List<(int Slot, DateTimeOffset At, double Cpu)>();
        // Every 20 s from two whole hours before this one: minute and hour buckets, some of them still filling.
        for (var at = DateTimeOffset.FromUnixTimeSeconds((now.ToUnixTimeSeconds() / 3600 - 2) * 3600); at < now; at = at.AddSeconds(20))
        {
            var n = raw.Count;
            var instances = new[] { Instance(1, cpu: n % 7 * 0.1), Instance(2, cpu: n % 13 * 0.05 + 1) };
            await Store.WriteAsync(at, [Snapshot(application, instances)]);
            raw.AddRange(instances.Select(i => (i.Slot, at, i.CpuCores)));
        }

        foreach (var (lastDays, bucket) in new[] { (1, 300), (30, 10_800) })
        {
            var series = await team.Owner.GetResultsAsync($"/api/application/{application}/metric/cpu?lastDays={lastDays}");

            var expected = raw.GroupBy(r => (r.Slot, Bucket: r.At.ToUnixTimeSeconds() / bucket * bucket))
                .OrderBy(g => g.Key.Slot).ThenBy(g => g.Key.Bucket)
                .Select(g => (Name: $"instance {g.Key.Slot}", At: DateTimeOffset.FromUnixTimeSeconds(g.Key.Bucket), Value: g.Average(r => r.Cpu)))
                .ToList();
            var answered = series.SelectMany(s => s!["data"]!.AsArray().Select(p => (
                    Name: s.Text("instance_name")!, At: p!["created_at"]!.GetValue<DateTimeOffset>(), Value: p["value"]!.GetValue<double>())))
                .ToList();
            Assert.Equal(expected.Select(e => (e.Name, e.At)), answered.Select(a => (a.Name, a.At)));
            Assert.All(expected.Zip(answered), pair => Assert.Equal(pair.First.Value, pair.Second.Value, Tolerance));
        }
    }

    [Fact]
    public async Task HealthCheckSeries_IsTheShareOfProbesPassed_WithTheirAverageLatency()
    {
        var team = await RuntimeTeam.OfAsync(Portal);
        var application = await CreateAsync(team);
        var bucket = DateTimeOffset.FromUnixTimeSeconds((DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 300 - 2) * 300);
        foreach (var (passed, latency, i) in new[] { (true, 10.0, 0), (true, 20.0, 1), (false, 30.0, 2), (true, 40.0, 3) })
        {
            await Store.WriteAsync(bucket.AddSeconds(10 * i), [Snapshot(application, Instance(1, probe: new ProbeResult(passed, latency, bucket)))]);
        }

        var series = await team.Owner.GetResultsAsync($"/api/application/{application}/metric/healthCheck?lastDays=1");

        var point = Assert.Single(Assert.Single(series)!["data"]!.AsArray())!;
        Assert.Equal("instance 1", series[0].Text("instance_name"));
        Assert.Equal(bucket, point["created_at"]!.GetValue<DateTimeOffset>());
        Assert.Equal((75.0, 25.0), (point["value"]!.GetValue<double>(), point["latency_in_ms"]!.GetValue<double>()));
    }

    [Fact]
    public async Task InstanceSeries_IsOneSeriesNamedInstances_OfTheReadyCount()
    {
        var team = await RuntimeTeam.OfAsync(Portal);
        var application = await CreateAsync(team);
        var bucket = DateTimeOffset.FromUnixTimeSeconds((DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 300 - 2) * 300);
        await Store.WriteAsync(bucket, [Snapshot(application, Instance(1), Instance(2))]);
        await Store.WriteAsync(bucket.AddSeconds(10), [Snapshot(application, Instance(1), Instance(2), Instance(3), Instance(4))]);

        var series = Assert.Single(await team.Owner.GetResultsAsync($"/api/application/{application}/metric/instance?lastDays=1"))!;

        Assert.Equal("instances", series.Text("instance_name"));
        Assert.Equal(3.0, Assert.Single(series["data"]!.AsArray())!["value"]!.GetValue<double>());
    }

    [Fact]
    public async Task Series_OfThirtyDaysOfEightInstances_AnswersAtMost300PointsPerInstance()
    {
        var team = await RuntimeTeam.OfAsync(Portal);
        var application = await CreateAsync(team);
        await MetricSeeding.SeedRollupsAsync(Portal.ConnectionString, application, MetricRollup.Hour, days: 30, instances: 8, DateTimeOffset.UtcNow);

        var series = await team.Owner.GetResultsAsync($"/api/application/{application}/metric/memory?lastDays=30");

        Assert.Equal(Enumerable.Range(1, 8).Select(i => $"instance {i}"), series.Select(s => s.Text("instance_name")));
        Assert.All(series, s => Assert.InRange(s!["data"]!.AsArray().Count, 200, MetricRules.MaxPoints));
    }

    [Fact]
    public async Task Series_WithoutLastDays_AnswersTheLastDay()
    {
        var team = await RuntimeTeam.OfAsync(Portal);
        var application = await CreateAsync(team);
        var now = DateTimeOffset.UtcNow;
        await Store.WriteAsync(now.AddDays(-2), [Snapshot(application, Instance(1, cpu: 0.1))]);
        await Store.WriteAsync(now.AddMinutes(-10), [Snapshot(application, Instance(1, cpu: 0.2))]);

        var series = await team.Owner.GetResultsAsync($"/api/application/{application}/metric/cpu");

        var point = Assert.Single(Assert.Single(series)!["data"]!.AsArray())!;
        Assert.Equal(0.2, point["value"]!.GetValue<double>(), Tolerance);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("91")]
    [InlineData("abc")]
    public async Task Series_WithLastDaysOutsideOneToNinety_Answers400NamingIt(string lastDays)
    {
        var team = await RuntimeTeam.OfAsync(Portal);
        var application = await CreateAsync(team);

        var response = await team.Owner.GetAsync($"/api/application/{application}/metric/storage?lastDays={lastDays}");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, $"lastDays={lastDays}");
        Assert.Equal(["lastDays"], problem.ErrorFields());
    }

    [Fact]
    public async Task CurrentScale_IsJudgedByTheApplicationsThresholds_WhichItMayChange()
    {
        var team = await RuntimeTeam.OfAsync(Portal);
        var application = await DeployedAsync(team, body =>
        {
            body["min_running_instances"] = 3;
            body["max_running_instances"] = 4;
        });

        var byDefault = await team.Owner.GetObjectAsync($"/api/application/{application}/currentScale");
        await team.Owner.UpdateApplicationAsync(application, new { metric_thresholds = new { scale = new { warning_threshold_in_percent = 70 } } });
        var changed = await team.Owner.GetObjectAsync($"/api/application/{application}/currentScale");

        Assert.Equal((3, 4, 3, 75.0), (byDefault["min"]!.GetValue<int>(), byDefault["max"]!.GetValue<int>(), byDefault["running"]!.GetValue<int>(),
            byDefault["running_in_percent"]!.GetValue<double>()));
        Assert.Equal(("OK", 80, 90), (byDefault.State(), byDefault["warning_threshold_in_percent"]!.GetValue<int>(), byDefault["alert_threshold_in_percent"]!.GetValue<int>()));
        Assert.Equal(("WARNING", "WARNING", "3 of 4 instances running (75%): above the warning threshold of 70%", 70),
            (changed.State(), changed["status"].Text("simple_state"), changed["status"].Text("message"), changed["warning_threshold_in_percent"]!.GetValue<int>()));
    }

    [Fact]
    public async Task CurrentInstance_ComparesConsumptionWithTheRequest_WithStorageNullUntilSomeIsRequested()
    {
        var team = await RuntimeTeam.OfAsync(Portal);
        var application = await DeployedAsync(team, consumption: new FakeConsumption(CpuCores: 0.25, MemoryMb: 48, StorageGb: 0.5));

        var withoutStorage = Assert.Single(await team.Owner.GetResultsAsync($"/api/application/{application}/currentInstance"))!;
        await team.Owner.UpdateApplicationAsync(application, new { storage = 2 });
        var withStorage = Assert.Single(await team.Owner.GetResultsAsync($"/api/application/{application}/currentInstance"))!;

        Assert.Equal("instance 1", withoutStorage.Text("instance_name"));
        Assert.Equal((0.5, 0.25, 50.0, "OK"), Usage(withoutStorage["cpu"]!, "float"));
        Assert.Equal((64.0, 48.0, 75.0, "OK"), Usage(withoutStorage["memory"]!, "mb"));
        Assert.Null(withoutStorage["storage"]);
        Assert.Equal((2.0, 0.5, 25.0, "OK"), Usage(withStorage["storage"]!, "gb"));
        Assert.Equal((80, 90), (withStorage["storage"]!["warning_threshold_in_percent"]!.GetValue<int>(), withStorage["storage"]!["alert_threshold_in_percent"]!.GetValue<int>()));
    }

    [Fact]
    public async Task MetricsOfAnotherOrganizationsApplication_Answer404()
    {
        var team = await RuntimeTeam.OfAsync(Portal);
        var theirs = await Catalogue.CreateAsync(Portal, "theirs");

        foreach (var path in new[] { "currentScale", "currentInstance", "metric/cpu?lastDays=7" })
        {
            await (await team.Owner.GetAsync($"/api/application/{theirs.ApplicationId}/{path}")).AssertProblemAsync(HttpStatusCode.NotFound, path);
        }
    }

    [Fact]
    public async Task ApplicationSettings_EchoStorageAndThresholds_AndRefuseThemOutOfTheirLimits()
    {
        var team = await RuntimeTeam.OfAsync(Portal);
        var application = await CreateAsync(team);

        var created = await team.Owner.GetObjectAsync($"/api/application/{application}");
        var refused = await team.Owner.PutAsJsonAsync($"/api/application/{application}",
            new { storage = 2000, metric_thresholds = new { cpu = new { warning_threshold_in_percent = 90, alert_threshold_in_percent = 85 } } });

        Assert.Null(created["storage"]);
        Assert.Equal(80, created["metric_thresholds"]!["scale"]!["warning_threshold_in_percent"]!.GetValue<int>());
        Assert.Equal(95, created["metric_thresholds"]!["memory"]!["alert_threshold_in_percent"]!.GetValue<int>());
        var problem = await refused.AssertProblemAsync(HttpStatusCode.BadRequest, "PUT application");
        Assert.Equal(["metric_thresholds.cpu.alert_threshold_in_percent", "storage"], problem.ErrorFields());
    }

    [Fact]
    public async Task SampleOnce_StoresWhatTheRuntimeObserves()
    {
        var team = await RuntimeTeam.OfAsync(Portal);
        var application = await DeployedAsync(team, consumption: new FakeConsumption(CpuCores: 0.3, MemoryMb: 40, StorageGb: 1.5, ProbeLatencyMs: 12));

        await Portal.Services.GetRequiredService<MetricsSampler>().SampleOnceAsync();

        var memory = Assert.Single(await team.Owner.GetResultsAsync($"/api/application/{application}/metric/memory?lastDays=1"))!;
        var health = Assert.Single(await team.Owner.GetResultsAsync($"/api/application/{application}/metric/healthCheck?lastDays=1"))!;
        Assert.Equal(40.0, memory["data"]!.AsArray()[^1]!["value"]!.GetValue<double>(), Tolerance);
        Assert.Equal((100.0, 12.0), (health["data"]!.AsArray()[^1]!["value"]!.GetValue<double>(), health["data"]!.AsArray()[^1]!["latency_in_ms"]!.GetValue<double>()));
    }

    [Fact]
    public async Task SampleOnce_WhenOneApplicationCannotBeObserved_SamplesTheOthers()
    {
        var team = await RuntimeTeam.OfAsync(Portal);
        var lost = await DeployedAsync(team, consumption: new FakeConsumption(CpuCores: 0.1, MemoryMb: 20, StorageGb: null));
        var seen = await DeployedAsync(team, consumption: new FakeConsumption(CpuCores: 0.2, MemoryMb: 30, StorageGb: null));
        fake.Unobservable[lost] = true;

        await Portal.Services.GetRequiredService<MetricsSampler>().SampleOnceAsync();

        Assert.Empty(await team.Owner.GetResultsAsync($"/api/application/{lost}/metric/memory?lastDays=1"));
        var memory = Assert.Single(await team.Owner.GetResultsAsync($"/api/application/{seen}/metric/memory?lastDays=1"))!;
        Assert.Equal(30.0, memory["data"]!.AsArray()[^1]!["value"]!.GetValue<double>(), Tolerance);
    }

    [Fact]
    public async Task Sample_IsSentOnTheHub_ToTheApplicationsSubscribers()
    {
        var team = await RuntimeTeam.OfAsync(Portal);
        var application = await DeployedAsync(team, consumption: new FakeConsumption(CpuCores: 0.3, MemoryMb: 40, StorageGb: null));
        await using var hub = await Portal.ConnectHubAsync(team.Owner);
        var metrics = hub.Listen("metrics");
        await hub.InvokeAsync("SubscribeApplication", application);

        await Portal.Services.GetRequiredService<MetricsSampler>().SampleOnceAsync();

        var message = await metrics.NextAsync(m => m.Text("application_id") == application.ToString());
        var instance = Assert.Single(message["current_instance"]!["results"]!.AsArray())!;
        Assert.Equal((1, 100.0), (message["current_scale"]!["running"]!.GetValue<int>(), message["current_scale"]!["running_in_percent"]!.GetValue<double>()));
        Assert.Equal(0.3, instance["cpu"]!["consumed_in_float"]!.GetValue<double>(), Tolerance);
        Assert.Null(instance["storage"]);
        Assert.NotNull(message["at"]);
    }

    [Fact]
    public async Task Retention_RemovesRawSamplesAndRollupsPastTheirAge_AndKeepsRecentOnes()
    {
        var team = await RuntimeTeam.OfAsync(Portal);
        var application = await CreateAsync(team);
        var now = DateTimeOffset.UtcNow;
        await Store.WriteAsync(now.AddHours(-25), [Snapshot(application, Instance(1))]);
        await Store.WriteAsync(now.AddDays(-14), [Snapshot(application, Instance(1))]);
        await Store.WriteAsync(now.AddDays(-60), [Snapshot(application, Instance(1))]);
        await Store.WriteAsync(now.AddDays(-91), [Snapshot(application, Instance(1))]);
        await Store.WriteAsync(now.AddHours(-1), [Snapshot(application, Instance(1))]);

        await Portal.Services.GetRequiredService<MetricsRetentionJob>().RunAsync(CancellationToken.None);

        // Raw samples for 24 h; minute buckets while a series reads them (12 days, a day to spare); hour buckets for 90 days.
        Assert.Equal([1], await AgesInHoursAsync("SELECT at FROM instance_sample", application, now));
        Assert.Equal([1], await AgesInHoursAsync("SELECT at FROM application_sample", application, now));
        Assert.Equal([1, 25], await AgesInHoursAsync($"SELECT DISTINCT bucket_start FROM metric_rollup WHERE bucket_seconds = {MetricRollup.Minute}", application, now));
        Assert.Equal([1, 25, 14 * 24, 60 * 24], await AgesInHoursAsync($"SELECT DISTINCT bucket_start FROM metric_rollup WHERE bucket_seconds = {MetricRollup.Hour}", application, now));
    }

    private async Task<List<long>> AgesInHoursAsync(string select, Guid application, DateTimeOffset now)
    {
        await using var connection = new NpgsqlConnection(Portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"{select}{(select.Contains("WHERE", StringComparison.Ordinal) ? " AND" : " WHERE")} application_id = @application", connection);
        command.Parameters.AddWithValue("application", application);
        await using var reader = await command.ExecuteReaderAsync();
        var ages = new List<long>();
        while (await reader.ReadAsync())
        {
            ages.Add((long)Math.Floor((now - reader.GetFieldValue<DateTimeOffset>(0)).TotalHours));
        }

        return [.. ages.Order()];
    }

    private static (double Requested, double Consumed, double Percent, string? State) Usage(JsonNode usage, string unit) => (
        usage[$"requested_in_{unit}"]!.GetValue<double>(), usage[$"consumed_in_{unit}"]!.GetValue<double>(), usage["consumed_in_percent"]!.GetValue<double>(),
        usage.State());

    private static ApplicationSnapshot Snapshot(Guid application, params InstanceSnapshot[] instances) => new(application, Guid.NewGuid(), instances.Length, instances);

    private static InstanceSnapshot Instance(int slot, double cpu = 0.1, ProbeResult? probe = null) =>
        new($"i-{slot}", Guid.NewGuid(), InstanceState.Ready, 0, cpu, 32, DateTimeOffset.UtcNow) { Slot = slot, LastProbe = probe };

    /// <summary>An application on a fake repository of its own, not deployed: the sampler leaves it alone.</summary>
    private async Task<Guid> CreateAsync(RuntimeTeam team, Action<JsonObject>? change = null)
    {
        var repository = fake.State.Repository($"https://git.example.com/metrics/{CatalogueSteps.Unique()}.git");
        repository.Commit("v1", "First version");
        var body = RuntimeSteps.ApplicationBody(repository.Url, $"web-{CatalogueSteps.Unique()}");
        change?.Invoke(body);
        return await team.Owner.CreateApplicationAsync(await team.CreateEnvironmentAsync(), body);
    }

    /// <summary>An application deployed on the fake, its instances consuming what is given (nothing when not).</summary>
    private async Task<Guid> DeployedAsync(RuntimeTeam team, Action<JsonObject>? change = null, FakeConsumption? consumption = null)
    {
        var application = await CreateAsync(team, change);
        fake.State.Consume(application, consumption ?? FakeConsumption.Idle);
        await team.Owner.DeployOkAsync(application);
        return application;
    }
}
