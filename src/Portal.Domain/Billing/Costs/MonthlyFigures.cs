using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Organizations;

namespace Platform.Domain.Billing.Costs;

/// <summary>
/// One line of a month's cost: an environment on a cluster, as <see cref="CostAggregation"/> last computed it from the
/// running intervals. <see cref="AmountExactCents"/> is the exact sum; <see cref="AmountCents"/> is it rounded once.
/// </summary>
public sealed class EnvironmentMonthCost
{
    public Guid OrganizationId { get; init; }

    public DateOnly Month { get; init; }

    public Guid EnvironmentId { get; init; }

    public Guid ClusterId { get; init; }

    public Guid ProjectId { get; init; }

    /// <summary>The project's and environment's names when last computed: kept for an invoice after they are deleted.</summary>
    public required string ProjectName { get; init; }

    public required string EnvironmentName { get; init; }

    /// <summary>Instance-seconds of running time in the month (trial included).</summary>
    public long ConsumedSeconds { get; init; }

    public decimal AmountExactCents { get; init; }

    public long AmountCents { get; init; }

    public DateTimeOffset ComputedAt { get; init; }
}

/// <summary>An organization's month as last computed: the running time's cost, the plan's fee, the credit spent on them.</summary>
public sealed class BillingMonth
{
    public Guid OrganizationId { get; init; }

    public Organization? Organization { get; init; }

    public DateOnly Month { get; init; }

    public required string Currency { get; init; }

    public long UsageCents { get; init; }

    public long PlanFeeCents { get; init; }

    public long CreditCents { get; init; }

    public DateTimeOffset ComputedAt { get; init; }
}

/// <summary>A budget alert sent (or being sent) for an organization's month, at 80 or 100 percent: at most one of each.</summary>
public sealed class BudgetAlert
{
    public Guid OrganizationId { get; init; }

    public Organization? Organization { get; init; }

    public DateOnly Month { get; init; }

    public int Level { get; init; }

    public long CostCents { get; init; }

    public long BudgetCents { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When its mail was handed to the mail queue; null until then.</summary>
    public DateTimeOffset? MailedAt { get; set; }
}

internal sealed class EnvironmentMonthCostConfiguration : IEntityTypeConfiguration<EnvironmentMonthCost>
{
    public void Configure(EntityTypeBuilder<EnvironmentMonthCost> builder)
    {
        builder.ToTable("environment_month_cost");
        builder.HasKey(c => new { c.Month, c.EnvironmentId, c.ClusterId });
        builder.Property(c => c.ProjectName).HasMaxLength(100);
        builder.Property(c => c.EnvironmentName).HasMaxLength(100);
        builder.Property(c => c.AmountExactCents).HasPrecision(30, 12);
        builder.HasIndex(c => new { c.OrganizationId, c.Month });
        builder.HasOne<Organization>().WithMany().HasForeignKey(c => c.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class BillingMonthConfiguration : IEntityTypeConfiguration<BillingMonth>
{
    public void Configure(EntityTypeBuilder<BillingMonth> builder)
    {
        builder.ToTable("billing_month");
        builder.HasKey(m => new { m.OrganizationId, m.Month });
        builder.Property(m => m.Currency).HasMaxLength(3);
        builder.HasOne(m => m.Organization).WithMany().HasForeignKey(m => m.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class BudgetAlertConfiguration : IEntityTypeConfiguration<BudgetAlert>
{
    public void Configure(EntityTypeBuilder<BudgetAlert> builder)
    {
        builder.ToTable("budget_alert");
        // The key is the rule: one alert per organization, month and level, however often the job runs.
        builder.HasKey(a => new { a.OrganizationId, a.Month, a.Level });
        builder.HasOne(a => a.Organization).WithMany().HasForeignKey(a => a.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
