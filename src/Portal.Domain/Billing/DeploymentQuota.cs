using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Platform.Domain.Common;
using Platform.Domain.Deployments;

namespace Platform.Domain.Billing;

/// <summary>
/// A paid plan's deployments per calendar month (UTC): how many were asked for, how many remain, when it renews.
/// <see cref="Exceeded"/> says the quota is used up: the next deployment is refused.
/// </summary>
public sealed record DeploymentUsage(int Max, int Consumed, int Remaining, bool Exceeded, DateTimeOffset NextRenewal);

/// <summary>
/// The monthly deployment quota of paid plans, checked where deployments are queued. A deploy, restart or rollback
/// counts when it is queued, whatever becomes of it; stops, archives, deletions and the restores after a restart of
/// the portal never count and are never refused.
/// </summary>
internal static class DeploymentQuota
{
    public static bool Counts(DeploymentKind kind) => kind is DeploymentKind.Deploy or DeploymentKind.Restart or DeploymentKind.Rollback;

    /// <summary>The organization's usage this month; null when its plan has no quota.</summary>
    public static async Task<DeploymentUsage?> UsageAsync(PlatformDbContext db, Guid organizationId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var quota = await db.BillingAccounts.Where(a => a.OrganizationId == organizationId).Select(a => a.Plan!.MonthlyDeploymentQuota).FirstOrDefaultAsync(cancellationToken);
        return quota is null ? null : Usage(quota, await CountedThisMonthAsync(db, organizationId, now, cancellationToken), now);
    }

    /// <summary>
    /// The organization's deployments that count against the quota of the month starting at the third parameter: the one
    /// rule, an expression so that callers count it within their own compiled queries.
    /// </summary>
    public static readonly Expression<Func<PlatformDbContext, Guid, DateTimeOffset, IQueryable<EnvironmentDeployment>>> Counted =
        (db, organizationId, start) => db.EnvironmentDeployments.Where(d => d.OrganizationId == organizationId && d.CreatedAt >= start
            && (d.Kind == DeploymentKind.Deploy || d.Kind == DeploymentKind.Restart || d.Kind == DeploymentKind.Rollback));

    private static readonly Func<PlatformDbContext, Guid, DateTimeOffset, CancellationToken, Task<int>> CountCounted = EF.CompileAsyncQuery(
        Expression.Lambda<Func<PlatformDbContext, Guid, DateTimeOffset, CancellationToken, int>>(
            Expression.Call(typeof(Queryable), nameof(Queryable.Count), [typeof(EnvironmentDeployment)], Counted.Body),
            [.. Counted.Parameters, Expression.Parameter(typeof(CancellationToken), "cancellationToken")]));

    /// <summary>How many of the organization's deployments count against this month's quota.</summary>
    public static Task<int> CountedThisMonthAsync(PlatformDbContext db, Guid organizationId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        CountCounted(db, organizationId, MonthStart(now), cancellationToken);

    /// <summary>The usage of a plan's quota (null: the plan has none) by this many counted deployments.</summary>
    public static DeploymentUsage? Usage(int? quota, int consumed, DateTimeOffset now)
    {
        if (quota is not { } max)
        {
            return null;
        }

        var remaining = Math.Max(0, max - consumed);
        return new DeploymentUsage(max, consumed, remaining, remaining == 0, MonthStart(now).AddMonths(1));
    }

    public static DateTimeOffset MonthStart(DateTimeOffset now) => new(Costs.CostAggregation.MonthOf(now).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>
    /// 402 when the quota is used up. Runs in the caller's transaction and locks the billing account's row until it
    /// commits, so two requests at once cannot both take the last deployment.
    /// </summary>
    public static async Task<DomainError?> RefusalAsync(PlatformDbContext db, Guid organizationId, DateTimeOffset now)
    {
        if (!await db.BillingAccounts.AnyAsync(a => a.OrganizationId == organizationId && a.Plan!.MonthlyDeploymentQuota != null))
        {
            return null; // No quota: nothing to count, nothing to lock.
        }

        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM billing_account WHERE organization_id = {organizationId} FOR UPDATE");
        var usage = await UsageAsync(db, organizationId, now);
        return usage is { Exceeded: true }
            ? DomainError.PaymentRequired(
                $"This organization's plan allows {usage.Max} deployments a month and all of them were used: the quota renews on {usage.NextRenewal:yyyy-MM-dd}. "
                + "Change to a plan with a larger quota to deploy before then.")
            : null;
    }
}
