using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Billing;

/// <summary>The portal stops while an application runs, and another starts on the same database later, as after a crash.</summary>
public sealed class RestartBillingTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"platform-test-data-{Guid.NewGuid():N}");
    private readonly FakeRuntimeState _state = new();
    private readonly FakeTimeProvider _clock = new(BillingPortal.Start);
    private string _connectionString = null!;

    public async Task InitializeAsync() => _connectionString = await TestPostgres.CreateDatabaseAsync();

    public Task DisposeAsync()
    {
        TestPostgres.DeleteQuietly(_dataDirectory);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Downtime_OfThePortal_IsNotBilled_RunningTimeResumesWithTheRestore()
    {
        Guid organization, environment, application;
        AuthenticationHeaderValue credentials;
        await using (var first = Portal())
        {
            await first.InitializeAsync();
            var (owner, _) = await first.CreateUserClientAsync();
            credentials = owner.DefaultRequestHeaders.Authorization!;
            organization = await owner.PostForIdAsync("/api/organization", new { name = "restart" });
            await first.ExecuteSqlAsync("UPDATE billing_account SET trial_started_at = trial_started_at - interval '30 days' WHERE organization_id = @id", ("id", organization));
            var project = await owner.PostForIdAsync($"/api/organization/{organization}/project", new { name = "shop" });
            environment = await owner.PostForIdAsync($"/api/project/{project}/environment", new { name = "production", mode = "PRODUCTION" });
            var repository = _state.Repository("https://git.example.com/shop/restart.git");
            repository.Commit("v1", "First version");
            var body = RuntimeSteps.ApplicationBody(repository.Url, "web");
            body["cpu"] = 1;
            body["memory"] = 1024; // 0.0016 cents a second
            application = await owner.CreateApplicationAsync(environment, body);
            await owner.DeployOkAsync(application);
            _clock.Advance(TimeSpan.FromHours(1));
            await first.AggregateAsync(_clock.GetUtcNow(), organization); // the last time this portal sees it running
            _clock.Advance(TimeSpan.FromMinutes(4));
        }

        _clock.Advance(TimeSpan.FromHours(2)); // the portal is down
        await using var second = Portal();
        await second.InitializeAsync();
        using var client = second.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = credentials;
        await Poll.UntilAsync(async () => (await client.GetResultsAsync($"/api/environment/{environment}/deployment")).Any(d => d.Text("kind") == "RESTORE" && d!.State() == "OK"),
            restored => restored, "the restore");
        await client.WaitForStateAsync("application", application, "RUNNING");
        _clock.Advance(TimeSpan.FromHours(1));
        var stop = await client.PostForDeploymentAsync($"/api/application/{application}/stop");
        await client.EndedAsync(stop);
        await second.AggregateAsync(_clock.GetUtcNow(), organization);
        var cost = await client.GetObjectAsync($"/api/organization/{organization}/currentCost");

        // Billed: the hour before the last aggregation the first portal ran, and the hour after the restore; not the
        // 4 minutes after it (at most one aggregation period), nor the 2 hours the portal was down.
        // 7,200 s × (1 × 0.0012 + 1 × 0.0004) = 11.52 cents: 12.
        Assert.Equal(7_200, cost["community_usage"]!["projects"]![0]!["consumed_time_in_seconds"]!.GetValue<long>());
        Assert.Equal(12, cost["cost"].Cents());
    }

    private PortalFactory Portal() => PortalFactory.On(_connectionString, _dataDirectory, new Dictionary<string, string?> { ["Billing:AggregationMinutes"] = "0" }, services =>
    {
        FakeRuntime.Replace(services, _state);
        services.AddSingleton<TimeProvider>(_clock);
    });
}
