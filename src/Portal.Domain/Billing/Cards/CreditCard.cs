using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Common;
using Platform.Domain.Organizations;

namespace Platform.Domain.Billing.Cards;

/// <summary>
/// A card as the portal keeps it: the gateway's token (encrypted at rest, like git secrets), and what may be shown.
/// The number and the CVV were handed to the gateway and dropped; they are never here.
/// </summary>
public sealed class CreditCard
{
    public Guid Id { get; init; } = Ids.New();

    public Guid OrganizationId { get; init; }

    public Organization? Organization { get; init; }

    /// <summary>The gateway's token, encrypted with the key ring (<see cref="ISecretProtector"/>): the database alone cannot charge it.</summary>
    public required string ProtectedToken { get; init; }

    public required string Brand { get; init; }

    public required string LastFour { get; init; }

    public int ExpiryMonth { get; init; }

    public int ExpiryYear { get; init; }

    /// <summary>The card the invoice job charges; one per organization (a partial unique index says so).</summary>
    public bool IsDefault { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>A card is good until the end of its expiry month.</summary>
    public static bool IsExpired(int expiryMonth, int expiryYear, DateTimeOffset now) =>
        (expiryYear, expiryMonth).CompareTo((now.UtcDateTime.Year, now.UtcDateTime.Month)) < 0;
}

internal sealed class CreditCardConfiguration : IEntityTypeConfiguration<CreditCard>
{
    public void Configure(EntityTypeBuilder<CreditCard> builder)
    {
        builder.ToTable("credit_card");
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.Brand).HasMaxLength(CardService.MaxBrandLength);
        builder.Property(c => c.LastFour).HasMaxLength(4);
        builder.HasIndex(c => c.OrganizationId).IsUnique().HasFilter("is_default");
        builder.HasOne(c => c.Organization).WithMany().HasForeignKey(c => c.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
