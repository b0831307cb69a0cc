using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Organizations;

namespace Platform.Domain.Billing.Credits;

/// <summary>A code worth credit, spent before the card; each organization may redeem it once. The migration seeds the demo code.</summary>
public sealed class CreditCode
{
    public const string Demo = "WELCOME-50";

    /// <summary>Upper case; matched without regard to case and surrounding spaces.</summary>
    public required string Code { get; init; }

    public long AmountCents { get; init; }

    public required string Currency { get; init; }

    /// <summary>After this instant it can no longer be redeemed; null for never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>A code an organization redeemed: the credit it brought, from when.</summary>
public sealed class CreditRedemption
{
    public Guid OrganizationId { get; init; }

    public Organization? Organization { get; init; }

    public required string Code { get; init; }

    public long AmountCents { get; init; }

    public required string Currency { get; init; }

    public DateTimeOffset RedeemedAt { get; init; }
}

internal sealed class CreditCodeConfiguration : IEntityTypeConfiguration<CreditCode>
{
    public void Configure(EntityTypeBuilder<CreditCode> builder)
    {
        builder.ToTable("credit_code");
        builder.HasKey(c => c.Code);
        builder.Property(c => c.Code).HasMaxLength(60);
        builder.Property(c => c.Currency).HasMaxLength(3);
        builder.HasData(new CreditCode { Code = CreditCode.Demo, AmountCents = 5_000, Currency = "EUR", ExpiresAt = null });
    }
}

internal sealed class CreditRedemptionConfiguration : IEntityTypeConfiguration<CreditRedemption>
{
    public void Configure(EntityTypeBuilder<CreditRedemption> builder)
    {
        builder.ToTable("credit_redemption");
        // The key is the rule: a code once per organization.
        builder.HasKey(r => new { r.OrganizationId, r.Code });
        builder.Property(r => r.Code).HasMaxLength(60);
        builder.Property(r => r.Currency).HasMaxLength(3);
        builder.HasOne(r => r.Organization).WithMany().HasForeignKey(r => r.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<CreditCode>().WithMany().HasForeignKey(r => r.Code).OnDelete(DeleteBehavior.Restrict);
    }
}
