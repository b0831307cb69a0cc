using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Platform.Domain.Billing.Costs;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Billing;

/// <summary>
/// A real portal on the fake runtime whose clock the test moves: deployments run through the real engine, so the
/// running intervals are those the engine writes, and an hour of running time takes no time at all. The clock starts
/// on 10 March 2027 at 08:00 UTC and only moves when a test advances it. The recurring aggregation is off: tests run
/// it when they mean to.
/// </summary>
public sealed class BillingPortal : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2027, 3, 10, 8, 0, 0, TimeSpan.Zero);

    public BillingPortal() =>
        Portal = PortalFactory.With(new Dictionary<string, string?> { ["Billing:AggregationMinutes"] = "0" }, services =>
        {
            FakeRuntime.Replace(services, State);
            services.AddSingleton<TimeProvider>(Clock);
        });

    public FakeTimeProvider Clock { get; } = new(Start);

    public FakeRuntimeState State { get; } = new();

    public PortalFactory Portal { get; }

    public Task InitializeAsync() => Portal.InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)Portal).DisposeAsync();

    /// <summary>Runs the cost aggregation of the current month for one organization, as of the clock, as the job does.</summary>
    public Task<AggregationResult> AggregateAsync(Guid organizationId) => Portal.AggregateAsync(Clock.GetUtcNow(), organizationId);

    /// <summary>A new organization whose trial is over (its running time is billed), with a project and an environment.</summary>
    public async Task<BillingTeam> CreateTeamAsync(bool trialOver = true)
    {
        var (owner, user) = await Portal.CreateUserClientAsync();
        var organization = await owner.PostForIdAsync("/api/organization", new { name = $"billing-{CatalogueSteps.Unique()}" });
        var project = await owner.PostForIdAsync($"/api/organization/{organization}/project", new { name = "shop" });
        var environment = await owner.PostForIdAsync($"/api/project/{project}/environment", new { name = "production", mode = "PRODUCTION" });
        if (trialOver)
        {
            await Portal.ExecuteSqlAsync("UPDATE billing_account SET trial_started_at = trial_started_at - interval '30 days' WHERE organization_id = @id", ("id", organization));
        }

        return new BillingTeam(this, owner, user, organization, project, environment);
    }
}

/// <summary>An owner's organization with one project and environment, on a <see cref="BillingPortal"/>.</summary>
public sealed record BillingTeam(BillingPortal Billing, HttpClient Owner, TestUser OwnerUser, Guid OrganizationId, Guid ProjectId, Guid EnvironmentId)
{
    /// <summary>An application of the given requests, from a fake repository with one commit; not deployed.</summary>
    public async Task<Guid> CreateApplicationAsync(double cpu, int memoryMb, int instances, Guid? environmentId = null)
    {
        var repository = Billing.State.Repository($"https://git.example.com/shop/{CatalogueSteps.Unique()}.git");
        repository.Commit("v1", "First version");
        var body = RuntimeSteps.ApplicationBody(repository.Url, $"web-{CatalogueSteps.Unique()}");
        body["cpu"] = cpu;
        body["memory"] = memoryMb;
        body["min_running_instances"] = instances;
        body["max_running_instances"] = instances;
        return await Owner.CreateApplicationAsync(environmentId ?? EnvironmentId, body);
    }

    /// <summary>Deploys the application, lets the clock run for <paramref name="duration"/>, and stops it.</summary>
    public async Task RunForAsync(Guid applicationId, TimeSpan duration)
    {
        await Owner.DeployOkAsync(applicationId);
        Billing.Clock.Advance(duration);
        await StopAsync(applicationId);
    }

    public async Task StopAsync(Guid applicationId)
    {
        var stop = await Owner.PostForDeploymentAsync($"/api/application/{applicationId}/stop");
        Assert.Equal("OK", (await Owner.EndedAsync(stop)).State());
    }

    public Task<JsonObject> CurrentCostAsync() => Owner.GetObjectAsync($"/api/organization/{OrganizationId}/currentCost");

    public async Task SetBudgetAsync(long cents) =>
        await (await Owner.PutAsJsonAsync($"/api/organization/{OrganizationId}/costBudget", new { total_in_cents = cents })).ExpectAsync(HttpStatusCode.OK, "PUT costBudget");

    public Task<HttpResponseMessage> RedeemAsync(string code) => Owner.PostAsJsonAsync($"/api/organization/{OrganizationId}/creditCode", new { code });
}

public static class BillingSteps
{
    /// <summary>Runs the cost aggregation of the current month for one organization, as of <paramref name="now"/>, on the portal's own services.</summary>
    public static async Task<AggregationResult> AggregateAsync(this PortalFactory portal, DateTimeOffset now, Guid organizationId)
    {
        using var scope = portal.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<CostAggregation>().RunAsync(now, organizationId, null, CancellationToken.None);
    }

    public static long Cents(this JsonNode? money) => money!["total_in_cents"]!.GetValue<long>();
}
