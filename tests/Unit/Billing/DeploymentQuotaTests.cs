using System.Net;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Billing;

/// <summary>A paid plan's monthly deployment quota, enforced where deployments are queued.</summary>
public sealed class DeploymentQuotaTests(BillingPortal billing) : IClassFixture<BillingPortal>
{
    [Fact]
    public async Task Quota_RefusesTheDeploymentAfterTheLastOneAllowed_With402()
    {
        var team = await billing.CreateTeamAsync();
        var application = await team.CreateApplicationAsync(cpu: 0.5, memoryMb: 256, instances: 1);
        var plan = await PutOnTeamPlanAsync(team, quota: 2);

        await team.Owner.DeployOkAsync(application);
        await team.Owner.DeployOkAsync(application);
        var beyond = await team.Owner.PostAsync($"/api/application/{application}/deploy", null);
        var stop = await team.Owner.PostAsync($"/api/application/{application}/stop", null);
        var usage = (await team.CurrentCostAsync())["paid_usage"]!;

        var problem = await beyond.AssertProblemAsync(HttpStatusCode.PaymentRequired, "a deployment beyond the quota");
        Assert.Contains("2 deployments a month", problem.Text("detail"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, stop.StatusCode); // stopping is never refused
        Assert.Equal((2, 2, 0, true), (usage["max_deployments_per_month"]!.GetValue<int>(), usage["consumed_deployments"]!.GetValue<int>(),
            usage["remaining_deployments"]!.GetValue<int>(), usage["exceeded_deployments"]!.GetValue<bool>()));
        Assert.Equal("2027-04-01T00:00:00.000Z", usage.Text("next_renewal"));
        Assert.Equal(plan, (await team.CurrentCostAsync()).Text("plan"));
    }

    [Fact]
    public async Task PaidUsage_CountsDeploymentsOfTheMonth_AndWhatRemains()
    {
        var team = await billing.CreateTeamAsync();
        var application = await team.CreateApplicationAsync(cpu: 0.5, memoryMb: 256, instances: 1);
        await PutOnTeamPlanAsync(team, quota: 100);

        await team.Owner.DeployOkAsync(application);
        var usage = (await team.CurrentCostAsync())["paid_usage"]!;

        Assert.Equal((1, 99, false), (usage["consumed_deployments"]!.GetValue<int>(), usage["remaining_deployments"]!.GetValue<int>(), usage["exceeded_deployments"]!.GetValue<bool>()));
        Assert.Empty(usage["addons"]!.AsArray());
    }

    /// <summary>Plans are data: the test gives TEAM the quota it needs (as an operator would), and moves the organization to it.</summary>
    private async Task<string> PutOnTeamPlanAsync(BillingTeam team, int quota)
    {
        var plan = $"TEAM_{CatalogueSteps.Unique()}".ToUpperInvariant();
        await billing.Portal.ExecuteSqlAsync(
            "INSERT INTO billing_plan (code, name, trial_days, monthly_price_cents, currency, monthly_deployment_quota) SELECT @code, name, 0, monthly_price_cents, currency, @quota FROM billing_plan WHERE code = 'TEAM'",
            ("code", plan), ("quota", quota));
        await billing.Portal.ExecuteSqlAsync("UPDATE billing_account SET plan_code = @code WHERE organization_id = @id", ("code", plan), ("id", team.OrganizationId));
        return plan;
    }
}
