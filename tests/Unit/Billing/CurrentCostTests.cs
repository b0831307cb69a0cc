using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Billing;

/// <summary>
/// currentCost reads the account, its plan, the month's figures and cost lines, the credit and the quota's count in
/// one query: its answer is the one each part gives on its own, in the cases where a part is missing (no month
/// aggregated yet, a plan without a quota), and with credit redeemed in another currency than the account's.
/// </summary>
public sealed class CurrentCostTests(BillingPortal billing) : IClassFixture<BillingPortal>
{
    [Fact]
    public async Task PaidPlan_WithNoMonthAggregatedYet_CostsThePlansPrice_AndCountsTheQuota()
    {
        var team = await billing.CreateTeamAsync();
        var application = await team.CreateApplicationAsync(cpu: 0.5, memoryMb: 256, instances: 1);
        await PutOnPlanAsync(team, priceCents: 4_900, quota: 10);
        await team.Owner.DeployOkAsync(application);

        var cost = await team.CurrentCostAsync();

        Assert.Equal(4_900, cost["cost"].Cents());
        var usage = cost["paid_usage"]!;
        Assert.Equal((10, 1, 9), (usage["max_deployments_per_month"]!.GetValue<int>(), usage["consumed_deployments"]!.GetValue<int>(), usage["remaining_deployments"]!.GetValue<int>()));
    }

    [Fact]
    public async Task PaidPlan_WithAMonthAggregated_CostsItsFigures()
    {
        var team = await billing.CreateTeamAsync();
        await PutOnPlanAsync(team, priceCents: 4_900, quota: 10);
        await billing.Portal.ExecuteSqlAsync(
            "INSERT INTO billing_month (organization_id, month, currency, usage_cents, plan_fee_cents, credit_cents, computed_at) VALUES (@id, @month, 'EUR', 120, 4900, 0, now())",
            ("id", team.OrganizationId), ("month", ThisMonth()));

        var cost = await team.CurrentCostAsync();

        Assert.Equal(5_020, cost["cost"].Cents());
    }

    [Fact]
    public async Task PlanWithoutQuota_HasNoPaidUsage_WhateverWasDeployed()
    {
        var team = await billing.CreateTeamAsync();
        var application = await team.CreateApplicationAsync(cpu: 0.5, memoryMb: 256, instances: 1);
        await team.Owner.DeployOkAsync(application);

        var cost = await team.CurrentCostAsync();

        Assert.Null(cost["paid_usage"]);
        Assert.Equal(0, cost["cost"].Cents());
    }

    [Fact]
    public async Task Credit_CountsWhatWasRedeemedInTheAccountsCurrency_LessWhatTheMonthsSpent()
    {
        var team = await billing.CreateTeamAsync();
        await RedeemedAsync(team, "EUR", 700);
        await RedeemedAsync(team, "USD", 5_000);
        await billing.Portal.ExecuteSqlAsync(
            "INSERT INTO billing_month (organization_id, month, currency, usage_cents, plan_fee_cents, credit_cents, computed_at) VALUES (@id, DATE '2027-01-01', 'EUR', 200, 0, 200, now())",
            ("id", team.OrganizationId));

        var cost = await team.CurrentCostAsync();

        Assert.Equal(500, cost["remaining_credit"].Cents());
    }

    private DateOnly ThisMonth()
    {
        var now = billing.Clock.GetUtcNow().UtcDateTime;
        return new DateOnly(now.Year, now.Month, 1);
    }

    private async Task RedeemedAsync(BillingTeam team, string currency, long cents)
    {
        var code = $"T-{CatalogueSteps.Unique()}".ToUpperInvariant();
        await billing.Portal.ExecuteSqlAsync("INSERT INTO credit_code (code, amount_cents, currency) VALUES (@code, @cents, @currency)",
            ("code", code), ("cents", cents), ("currency", currency));
        await billing.Portal.ExecuteSqlAsync(
            "INSERT INTO credit_redemption (organization_id, code, amount_cents, currency, redeemed_at) VALUES (@id, @code, @cents, @currency, now())",
            ("id", team.OrganizationId), ("code", code), ("cents", cents), ("currency", currency));
    }

    private async Task PutOnPlanAsync(BillingTeam team, long priceCents, int quota)
    {
        var plan = $"PAID_{CatalogueSteps.Unique()}".ToUpperInvariant();
        await billing.Portal.ExecuteSqlAsync(
            "INSERT INTO billing_plan (code, name, trial_days, monthly_price_cents, currency, monthly_deployment_quota) VALUES (@code, 'Paid', 0, @price, 'EUR', @quota)",
            ("code", plan), ("price", priceCents), ("quota", quota));
        await billing.Portal.ExecuteSqlAsync("UPDATE billing_account SET plan_code = @code WHERE organization_id = @id", ("code", plan), ("id", team.OrganizationId));
    }
}
