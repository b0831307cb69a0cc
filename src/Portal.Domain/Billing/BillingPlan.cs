using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Platform.Domain.Billing;

/// <summary>
/// A plan an organization is billed on (PRODUCT.md section 9), kept as data: the migration seeds COMMUNITY and TEAM,
/// and an operator may change their figures or add plans without a release.
/// </summary>
public sealed class BillingPlan
{
    public const string Community = "COMMUNITY";
    public const string Team = "TEAM";

    /// <summary>The plan's name on the wire (UPPER_SNAKE), and its key.</summary>
    public required string Code { get; init; }

    public required string Name { get; set; }

    /// <summary>Days of free running time from the organization's creation; 0 for none.</summary>
    public int TrialDays { get; set; }

    /// <summary>The flat fee of a paid plan, per calendar month, on top of the running time; 0 for COMMUNITY.</summary>
    public long MonthlyPriceCents { get; set; }

    public required string Currency { get; set; }

    /// <summary>Deployments allowed per calendar month (UTC); null for no quota (COMMUNITY pays per use instead).</summary>
    public int? MonthlyDeploymentQuota { get; set; }
}

internal sealed class BillingPlanConfiguration : IEntityTypeConfiguration<BillingPlan>
{
    public void Configure(EntityTypeBuilder<BillingPlan> builder)
    {
        builder.ToTable("billing_plan");
        builder.HasKey(p => p.Code);
        builder.Property(p => p.Code).HasMaxLength(40);
        builder.Property(p => p.Name).HasMaxLength(100);
        builder.Property(p => p.Currency).HasMaxLength(3);
        builder.HasData(
            new BillingPlan { Code = BillingPlan.Community, Name = "Community", TrialDays = 14, MonthlyPriceCents = 0, Currency = "EUR", MonthlyDeploymentQuota = null },
            new BillingPlan { Code = BillingPlan.Team, Name = "Team", TrialDays = 0, MonthlyPriceCents = 4_900, Currency = "EUR", MonthlyDeploymentQuota = 100 });
    }
}

/// <summary>Data the billing migration writes besides its seeded rows, for what existed before it.</summary>
public static class BillingSeed
{
    /// <summary>
    /// Every organization gets its account, its trial counted from its creation; every cluster gets a copy of the
    /// default price list, to change on its own. (A cluster made later is billed at the default list until it gets a row.)
    /// </summary>
    public const string ForExistingRows = """
        INSERT INTO billing_account (organization_id, plan_code, currency, trial_started_at, budget_cents, info, created_at, updated_at)
        SELECT id, 'COMMUNITY', 'EUR', created_at, NULL, NULL, now(), now() FROM organization;
        INSERT INTO cluster_price (id, cluster_id, currency, cpu_core_second_cents, memory_gb_second_cents)
        SELECT gen_random_uuid(), c.id, list.currency, list.cpu_core_second_cents, list.memory_gb_second_cents
        FROM cluster c CROSS JOIN cluster_price list WHERE list.cluster_id IS NULL;
        """;
}
