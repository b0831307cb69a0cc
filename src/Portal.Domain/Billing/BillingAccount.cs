using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Common;
using Platform.Domain.Organizations;

namespace Platform.Domain.Billing;

/// <summary>Who is billed, as the owner or an admin gave it (the draft's billing info); checked by <see cref="BillingInfoRules"/>.</summary>
public sealed record BillingInfo(
    string? FirstName, string? LastName, string Email, string? Address, string? City, string? Zip, string? State, string CountryCode, string? Company, string? VatNumber);

/// <summary>
/// An organization's billing: its plan, its one currency, when its trial began (its creation), its monthly budget and
/// who is billed. Opened with the organization, on COMMUNITY.
/// </summary>
public sealed class BillingAccount
{
    public const string DefaultCurrency = "EUR";

    public Guid OrganizationId { get; init; }

    public Organization? Organization { get; init; }

    public required string PlanCode { get; set; }

    public BillingPlan? Plan { get; init; }

    public required string Currency { get; init; }

    public DateTimeOffset TrialStartedAt { get; init; }

    /// <summary>The monthly budget whose 80% and 100% send an alert; null for none.</summary>
    public long? BudgetCents { get; set; }

    public BillingInfo? Info { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    public static BillingAccount Open(Guid organizationId, DateTimeOffset now) => new()
    {
        OrganizationId = organizationId,
        PlanCode = BillingPlan.Community,
        Currency = DefaultCurrency,
        TrialStartedAt = now,
        CreatedAt = now,
        UpdatedAt = now,
    };
}

internal sealed class BillingAccountConfiguration : IEntityTypeConfiguration<BillingAccount>
{
    public void Configure(EntityTypeBuilder<BillingAccount> builder)
    {
        builder.ToTable("billing_account");
        builder.HasKey(a => a.OrganizationId);
        builder.Property(a => a.PlanCode).HasMaxLength(40);
        builder.Property(a => a.Currency).HasMaxLength(3);
        builder.Property(a => a.Info).HasJsonConversion();
        builder.HasOne(a => a.Organization).WithOne().HasForeignKey<BillingAccount>(a => a.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(a => a.Plan).WithMany().HasForeignKey(a => a.PlanCode).OnDelete(DeleteBehavior.Restrict);
    }
}
