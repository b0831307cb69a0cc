namespace Platform.Domain.Billing;

/// <summary>An amount as the draft answers it: integer cents, <see cref="Total"/> derived from them, the organization's currency.</summary>
public sealed record Money(long TotalInCents, decimal Total, string CurrencyCode)
{
    public static Money Of(long cents, string currency) => new(cents, cents / 100m, currency);
}

/// <summary>An environment's running time and cost this month.</summary>
public sealed record EnvironmentUsage(Guid Id, string Name, long ConsumedTimeInSeconds, Money Cost);

/// <summary>A project's running time and cost this month, with its environments'.</summary>
public sealed record ProjectUsage(Guid Id, string Name, long ConsumedTimeInSeconds, Money Cost, IReadOnlyList<EnvironmentUsage> Environments);

/// <summary>The draft's community_usage: the budget and the month's cost by project and environment.</summary>
public sealed record CommunityUsage(Money BudgetThreshold, IReadOnlyList<ProjectUsage> Projects);

/// <summary>An addon of a paid plan (none are sold yet: the list is empty).</summary>
public sealed record PlanAddon(string Id, string Slug, string Name, string Description);

/// <summary>The draft's paid_usage: the monthly deployment quota.</summary>
public sealed record PaidUsage(
    int MaxDeploymentsPerMonth, int ConsumedDeployments, int RemainingDeployments, bool ExceededDeployments, DateTimeOffset NextRenewal, IReadOnlyList<PlanAddon> Addons);

/// <summary>
/// The draft's current cost: the plan, the trial's remaining days, the credit left, the month's cost so far (running
/// time and plan fee, before credit), the quota of a paid plan, and the breakdown by project (answered on every plan).
/// </summary>
public sealed record CurrentCostView(string Plan, int RemainingTrialDay, Money RemainingCredit, Money Cost, PaidUsage? PaidUsage, CommunityUsage CommunityUsage);

/// <summary>A code redeemed: what it brought, and the credit left in all.</summary>
public sealed record CreditCodeView(string Code, Money Credit, Money RemainingCredit);
