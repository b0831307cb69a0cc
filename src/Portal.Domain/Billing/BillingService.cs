using System.Linq.Expressions;
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
            var found = await CurrentCostRow(db, organizationId, month, DeploymentQuota.MonthStart(now), cancellationToken)
                ?? throw new InvalidOperationException($"The organization {organizationId} has no billing account.");
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
        (await CreditOf(db, organizationId, cancellationToken) ?? throw new InvalidOperationException($"The organization {organizationId} has no billing account.")).Remaining;

    /// <summary>
    /// The credit redeemed in the account's currency and the credit spent on its months (one row): the one rule, an
    /// expression so that it is read alone or within another compiled query.
    /// </summary>
    private static readonly Expression<Func<PlatformDbContext, Guid, IQueryable<CreditBalanceRow>>> CreditBalance = (db, organizationId) =>
        db.BillingAccounts.Where(a => a.OrganizationId == organizationId).Select(a => new CreditBalanceRow
        {
            Granted = db.CreditRedemptions.Where(r => r.OrganizationId == organizationId && r.Currency == a.Currency).Sum(r => r.AmountCents),
            Spent = db.BillingMonths.Where(m => m.OrganizationId == organizationId).Sum(m => m.CreditCents),
        });

    private static readonly Func<PlatformDbContext, Guid, CancellationToken, Task<CreditBalanceRow?>> CreditOf = EF.CompileAsyncQuery(
        Expression.Lambda<Func<PlatformDbContext, Guid, CancellationToken, CreditBalanceRow?>>(
            Expression.Call(typeof(Queryable), nameof(Queryable.FirstOrDefault), [typeof(CreditBalanceRow)], CreditBalance.Body),
            [.. CreditBalance.Parameters, Expression.Parameter(typeof(CancellationToken), "cancellationToken")]));

    /// <summary>
    /// currentCost's one query, compiled once (it answers often): the account and its plan, this month's figures and
    /// cost lines, the credit and the quota's count (counted only when the plan has a quota).
    /// </summary>
    private static readonly Func<PlatformDbContext, Guid, DateOnly, DateTimeOffset, CancellationToken, Task<CostRow?>> CurrentCostRow = EF.CompileAsyncQuery(ComposeCurrentCost());

    private static Expression<Func<PlatformDbContext, Guid, DateOnly, DateTimeOffset, CancellationToken, CostRow?>> ComposeCurrentCost()
    {
        Expression<Func<PlatformDbContext, Guid, DateOnly, IQueryable<CreditBalanceRow>, IQueryable<Deployments.EnvironmentDeployment>, CostRow?>> template =
            (db, organizationId, month, credit, counted) => db.BillingAccounts.Where(a => a.OrganizationId == organizationId)
                .Select(a => new CostRow
                {
                    PlanCode = a.PlanCode,
                    Currency = a.Currency,
                    TrialStartedAt = a.TrialStartedAt,
                    BudgetCents = a.BudgetCents,
                    TrialDays = a.Plan!.TrialDays,
                    MonthlyPriceCents = a.Plan.MonthlyPriceCents,
                    MonthlyDeploymentQuota = a.Plan.MonthlyDeploymentQuota,
                    Figures = db.BillingMonths.Where(m => m.OrganizationId == organizationId && m.Month == month)
                        .Select(m => new MonthFigures { UsageCents = m.UsageCents, PlanFeeCents = m.PlanFeeCents }).FirstOrDefault(),
                    // The columns the answer shows, not the rows: one row of the result per cost line.
                    Lines = db.EnvironmentMonthCosts.Where(c => c.OrganizationId == organizationId && c.Month == month)
                        .Select(c => new CostLine
                        {
                            ProjectId = c.ProjectId, ProjectName = c.ProjectName, EnvironmentId = c.EnvironmentId, EnvironmentName = c.EnvironmentName,
                            ConsumedSeconds = c.ConsumedSeconds, AmountCents = c.AmountCents, ComputedAt = c.ComputedAt,
                        })
                        .ToList(),
                    Credit = credit.First(),
                    Deployments = a.Plan!.MonthlyDeploymentQuota == null ? (int?)null : counted.Count(),
                })
                .AsNoTracking()
                .FirstOrDefault();
        var (db, organizationId, month) = (template.Parameters[0], template.Parameters[1], template.Parameters[2]);
        var start = Expression.Parameter(typeof(DateTimeOffset), "start");
        var credit = ExpressionSubstitution.Replace(
            ExpressionSubstitution.Replace(CreditBalance.Body, CreditBalance.Parameters[0], db), CreditBalance.Parameters[1], organizationId);
        var counted = ExpressionSubstitution.Replace(ExpressionSubstitution.Replace(ExpressionSubstitution.Replace(
            DeploymentQuota.Counted.Body, DeploymentQuota.Counted.Parameters[0], db), DeploymentQuota.Counted.Parameters[1], organizationId), DeploymentQuota.Counted.Parameters[2], start);
        var body = ExpressionSubstitution.Replace(ExpressionSubstitution.Replace(template.Body, template.Parameters[3], credit), template.Parameters[4], counted);
        return Expression.Lambda<Func<PlatformDbContext, Guid, DateOnly, DateTimeOffset, CancellationToken, CostRow?>>(
            body, db, organizationId, month, start, Expression.Parameter(typeof(CancellationToken), "cancellationToken"));
    }

    private sealed class CostRow
    {
        public required string PlanCode { get; init; }

        public required string Currency { get; init; }

        public DateTimeOffset TrialStartedAt { get; init; }

        public long? BudgetCents { get; init; }

        public int TrialDays { get; init; }

        public long MonthlyPriceCents { get; init; }

        public int? MonthlyDeploymentQuota { get; init; }

        public MonthFigures? Figures { get; init; }

        public required List<CostLine> Lines { get; init; }

        public required CreditBalanceRow Credit { get; init; }

        public int? Deployments { get; init; }
    }

    private sealed class MonthFigures
    {
        public long UsageCents { get; init; }

        public long PlanFeeCents { get; init; }
    }

    private sealed class CostLine
    {
        public Guid ProjectId { get; init; }

        public required string ProjectName { get; init; }

        public Guid EnvironmentId { get; init; }

        public required string EnvironmentName { get; init; }

        public long ConsumedSeconds { get; init; }

        public long AmountCents { get; init; }

        public DateTimeOffset ComputedAt { get; init; }
    }

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
