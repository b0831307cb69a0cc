using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Clusters;

namespace Platform.Domain.Billing;

/// <summary>
/// What an instance costs per second on a cluster, by what it requests: per CPU core and per GiB of memory, in cents
/// (exact decimals: a core-second costs a small fraction of a cent). The row without a cluster is the default price
/// list: a cluster without a row of its own, such as every new one, is billed at it.
/// </summary>
public sealed class ClusterPrice
{
    /// <summary>The default price list's row, seeded by the migration.</summary>
    public static readonly Guid DefaultId = new("0193a000-0000-7000-8000-000000000001");

    public Guid Id { get; init; }

    /// <summary>Null for the default price list.</summary>
    public Guid? ClusterId { get; init; }

    public Cluster? Cluster { get; init; }

    public required string Currency { get; set; }

    public decimal CpuCoreSecondCents { get; set; }

    public decimal MemoryGbSecondCents { get; set; }
}

internal sealed class ClusterPriceConfiguration : IEntityTypeConfiguration<ClusterPrice>
{
    public void Configure(EntityTypeBuilder<ClusterPrice> builder)
    {
        builder.ToTable("cluster_price");
        builder.Property(p => p.Id).ValueGeneratedNever();
        builder.Property(p => p.Currency).HasMaxLength(3);
        builder.Property(p => p.CpuCoreSecondCents).HasPrecision(20, 12);
        builder.Property(p => p.MemoryGbSecondCents).HasPrecision(20, 12);
        builder.HasIndex(p => new { p.ClusterId, p.Currency }).IsUnique().AreNullsDistinct(false);
        builder.HasOne(p => p.Cluster).WithMany().HasForeignKey(p => p.ClusterId).OnDelete(DeleteBehavior.Cascade);

        // 0.0012 cents per core-second (0.0432 € a core-hour) and 0.0004 cents per GiB-second (0.0144 € a GiB-hour).
        builder.HasData(new ClusterPrice { Id = ClusterPrice.DefaultId, ClusterId = null, Currency = "EUR", CpuCoreSecondCents = 0.0012m, MemoryGbSecondCents = 0.0004m });
    }
}
