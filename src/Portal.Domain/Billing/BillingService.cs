using Microsoft.EntityFrameworkCore;
using Platform.Domain.Access;
using Platform.Domain.Billing.Costs;
using Platform.Domain.Common;

namespace Platform.Domain.Billing;

/// <summary>
/// An organization's billing as its owner and admins see and set it: the month's cost, the budget, the billing info,
/// credit codes (PRODUCT.md section 9). Only OWNER and ADMIN (<see cref="Permission.ManageBilling"/>); the API and the
/// billing pages call it alike. Figures are those the cost aggregation last computed (every few minutes).
/// </summary>
public sealed class BillingService(IDbContextFactory<PlatformDbContext> dbFactory, TenantAccess access, TimeProvider clock, BillingAttempts attempts)
{
    /// <summary>The highest budget taken: ten million in the currency, far above any month.</summary>
    public const long MaxBudgetCents = 1_000_000_000;

    public Task<Result<CurrentCostView>> CurrentCostAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default) =>
        access.WithAsync<CurrentCostView>(caller, Resource.Organization(organizationId), Permission.ManageBilling, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var now = clock.GetUtcNow();
            var month = CostAggregation.MonthOf(now);
            var counted = DeploymentQuota.CountedThisMonth(db, organizationId, now);
            var credit = CreditBalance(db, organizationId);
            // One query: the account and its plan, this month's figures and cost lines, the credit and the quota's count
            // (counted only when the plan has a quota).
            var found = await db.BillingAccounts.Where(a => a.OrganizationId == organizationId)
                .Select(a => new
                {
                    a.PlanCode,
                    a.Currency,
                    a.TrialStartedAt,
                    a.BudgetCents,
                    a.Plan!.TrialDays,
                    a.Plan.MonthlyPriceCents,
                    a.Plan.MonthlyDeploymentQuota,
                    Figures = db.BillingMonths.Where(m => m.OrganizationId == organizationId && m.Month == month).Select(m => new { m.UsageCents, m.PlanFeeCents }).FirstOrDefault(),
                    // The columns the answer shows, not the rows: one row of the result per cost line.
                    Lines = db.EnvironmentMonthCosts.Where(c => c.OrganizationId == organizationId && c.Month == month)
                        .Select(c => new { c.ProjectId, c.ProjectName, c.EnvironmentId, c.EnvironmentName, c.ConsumedSeconds, c.AmountCents, c.ComputedAt })
                        .ToList(),
                    Credit = credit.First(),
                    Deployments = a.Plan!.MonthlyDeploymentQuota == null ? (int?)null : counted.Count(),
                })
                .FirstAsync(cancellationToken);
            var (figures, lines) = (found.Figures, found.Lines);
            var quota = DeploymentQuota.Usage(found.MonthlyDeploymentQuota, found.Deployments ?? 0, now);
            var currency = found.Currency;

            var trialEnd = found.TrialStartedAt.AddDays(found.TrialDays);
            var remainingTrialDays = trialEnd > now ? (int)Math.Ceiling((trialEnd - now).TotalDays) : 0;
            var projects = lines.GroupBy(l => l.ProjectId)
                .Select(p => new ProjectUsage(p.Key, p.OrderByDescending(l => l.ComputedAt).First().ProjectName, p.Sum(l => l.ConsumedSeconds), Money.Of(p.Sum(l => l.AmountCents), currency),
                    p.GroupBy(l => l.EnvironmentId)
                        .Select(e => new EnvironmentUsage(e.Key, e.First().EnvironmentName, e.Sum(l => l.ConsumedSeconds), Money.Of(e.Sum(l => l.AmountCents), currency)))
                        .OrderBy(e => e.Name, StringComparer.Ordinal).ToList()))
                .OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
            return new CurrentCostView(
                found.PlanCode,
                remainingTrialDays,
                Money.Of(found.Credit.Remaining, currency),
                Money.Of(figures is null ? found.MonthlyPriceCents : figures.UsageCents + figures.PlanFeeCents, currency),
                quota is null ? null : new PaidUsage(quota.Max, quota.Consumed, quota.Remaining, quota.Exceeded, quota.NextRenewal, []),
                new CommunityUsage(Money.Of(found.BudgetCents ?? 0, currency), projects));
        }, cancellationToken);

    /// <summary>What the cluster's environments cost this month so far.</summary>
    public Task<Result<Money>> ClusterCostAsync(Caller caller, Guid clusterId, CancellationToken cancellationToken = default) =>
        access.WithAsync<Money>(caller, Resource.Cluster(clusterId), Permission.ManageBilling, async granted =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var month = CostAggregation.MonthOf(clock.GetUtcNow());
            var cents = await db.EnvironmentMonthCosts.Where(c => c.ClusterId == clusterId && c.Month == month).SumAsync(c => c.AmountCents, cancellationToken);
            return Money.Of(cents, (await AccountAsync(db, granted.OrganizationId, cancellationToken)).Currency);
        }, cancellationToken);

    public Task<Result<Money>> BudgetAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default) =>
        access.WithAsync<Money>(caller, Resource.Organization(organizationId), Permission.ManageBilling, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var account = await AccountAsync(db, organizationId, cancellationToken);
            return Money.Of(account.BudgetCents ?? 0, account.Currency);
        }, cancellationToken);

    /// <summary>Sets the monthly budget; 0 means none (no alerts).</summary>
    public Task<Result<Money>> SetBudgetAsync(Caller caller, Guid organizationId, long? totalInCents) =>
        access.WithAsync<Money>(caller, Resource.Organization(organizationId), Permission.ManageBilling, async _ =>
        {
            if (totalInCents is not (>= 0 and <= MaxBudgetCents))
            {
                return DomainError.Validation("total_in_cents", $"The budget is a whole number of cents from 0 (no budget) to {MaxBudgetCents}.");
            }

            await using var db = await dbFactory.CreateDbContextAsync();
            var account = await AccountAsync(db, organizationId, CancellationToken.None);
            account.BudgetCents = totalInCents == 0 ? null : totalInCents;
            account.UpdatedAt = clock.GetUtcNow();
            await db.SaveChangesAsync();
            return Money.Of(account.BudgetCents ?? 0, account.Currency);
        });

    /// <summary>The billing info; every field null until it is given.</summary>
    public Task<Result<BillingInfo?>> BillingInfoAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default) =>
        access.WithAsync<BillingInfo?>(caller, Resource.Organization(organizationId), Permission.ManageBilling, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            return (await AccountAsync(db, organizationId, cancellationToken)).Info;
        }, cancellationToken);

    public Task<Result<BillingInfo>> SetBillingInfoAsync(Caller caller, Guid organizationId, BillingInfo? input) =>
        access.WithAsync<BillingInfo>(caller, Resource.Organization(organizationId), Permission.ManageBilling, async _ =>
        {
            var checkedInfo = BillingInfoRules.Check(input);
            if (!checkedInfo.IsSuccess)
            {
                return checkedInfo.Error!;
            }

            await using var db = await dbFactory.CreateDbContextAsync();
            var account = await AccountAsync(db, organizationId, CancellationToken.None);
            account.Info = checkedInfo.Value;
            account.UpdatedAt = clock.GetUtcNow();
            await db.SaveChangesAsync();
            return checkedInfo.Value;
        });

    /// <summary>Redeems a code once for the organization; an unknown, expired or already redeemed code is a 400 on <c>code</c>.</summary>
    public Task<Result<CreditCodeView>> RedeemAsync(Caller caller, Guid organizationId, string? code) =>
        access.WithAsync<CreditCodeView>(caller, Resource.Organization(organizationId), Permission.ManageBilling, async _ =>
        {
            var key = Validation.Clean(code)?.ToUpperInvariant();
            if (key is null or { Length: > 60 })
            {
                return DomainError.Validation("code", "Enter the credit code, such as WELCOME-50.");
            }

            if (attempts.Take(BillingAttempt.CodeRedemption, organizationId, caller, "code") is { } tooMany)
            {
                return tooMany;
            }

            await using var db = await dbFactory.CreateDbContextAsync();
            var now = clock.GetUtcNow();
            var account = await AccountAsync(db, organizationId, CancellationToken.None);
            var found = await db.CreditCodes.AsNoTracking().FirstOrDefaultAsync(c => c.Code == key);
            if (found is null)
            {
                return DomainError.Validation("code", "This credit code does not exist.");
            }

            if (found.ExpiresAt is { } expires && expires <= now)
            {
                return DomainError.Validation("code", $"This credit code expired on {expires.UtcDateTime:yyyy-MM-dd}.");
            }

            if (found.Currency != account.Currency)
            {
                return DomainError.Validation("code", $"This credit code is in {found.Currency}, and this organization is billed in {account.Currency}.");
            }

            // The key (organization, code) is the rule: a second redemption, even at the same instant, inserts nothing.
            var inserted = await db.Database.ExecuteSqlAsync($"""
                INSERT INTO credit_redemption (organization_id, code, amount_cents, currency, redeemed_at)
                VALUES ({organizationId}, {key}, {found.AmountCents}, {found.Currency}, {now}) ON CONFLICT DO NOTHING
                """);
            if (inserted == 0)
            {
                return DomainError.Validation("code", "This organization already redeemed this credit code.");
            }

            return new CreditCodeView(key, Money.Of(found.AmountCents, found.Currency),
                Money.Of(await RemainingCreditAsync(db, organizationId, CancellationToken.None), account.Currency));
        });

    /// <summary>Credit redeemed less credit the months spent, as last aggregated.</summary>
    internal static async Task<long> RemainingCreditAsync(PlatformDbContext db, Guid organizationId, CancellationToken cancellationToken) =>
        (await CreditBalance(db, organizationId).FirstAsync(cancellationToken)).Remaining;

    /// <summary>
    /// The credit redeemed in the account's currency and the credit spent on its months, as a query (one row) that
    /// callers read alone or within their own.
    /// </summary>
    private static IQueryable<CreditBalanceRow> CreditBalance(PlatformDbContext db, Guid organizationId) =>
        db.BillingAccounts.Where(a => a.OrganizationId == organizationId).Select(a => new CreditBalanceRow
        {
            Granted = db.CreditRedemptions.Where(r => r.OrganizationId == organizationId && r.Currency == a.Currency).Sum(r => r.AmountCents),
            Spent = db.BillingMonths.Where(m => m.OrganizationId == organizationId).Sum(m => m.CreditCents),
        });

    private sealed class CreditBalanceRow
    {
        public long Granted { get; init; }

        public long Spent { get; init; }

        public long Remaining => Math.Max(0, Granted - Spent);
    }

    /// <summary>The organization's account; every organization has one from its creation (the migration opened those before).</summary>
    internal static Task<BillingAccount> AccountAsync(PlatformDbContext db, Guid organizationId, CancellationToken cancellationToken) =>
        db.BillingAccounts.Include(a => a.Plan).FirstAsync(a => a.OrganizationId == organizationId, cancellationToken);
}
