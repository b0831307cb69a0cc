using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Common;
using Platform.Domain.Organizations;

namespace Platform.Domain.Clusters;

/// <summary>Which runtime carries out a cluster's deployments.</summary>
public enum ClusterKind
{
    /// <summary>The embedded runtime: supervised processes on the portal's host.</summary>
    Local,
    Kubernetes,
}

public sealed class Cluster
{
    public Guid Id { get; init; } = Ids.New();

    public Guid OrganizationId { get; init; }

    public Organization? Organization { get; init; }

    public required string Name { get; set; }

    public ClusterKind Kind { get; init; }

    public bool IsDefault { get; init; }

    /// <summary>What its runtime needs to reach it: nothing for the local runtime; a Kubernetes runtime's namespace and kubeconfig.</summary>
    public ClusterRuntimeSettings? RuntimeSettings { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A cluster's runtime settings; the kubeconfig is a secret, kept encrypted like secret variables.</summary>
public sealed record ClusterRuntimeSettings(string? Namespace, string? ProtectedKubeconfig);

internal sealed class ClusterConfiguration : IEntityTypeConfiguration<Cluster>
{
    public void Configure(EntityTypeBuilder<Cluster> builder)
    {
        builder.ToTable("cluster");
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.Name).HasMaxLength(100);
        builder.Property(c => c.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(c => c.RuntimeSettings).HasJsonConversion();
        builder.HasIndex(c => c.OrganizationId).HasFilter("is_default").IsUnique();
        builder.HasOne(c => c.Organization).WithMany().HasForeignKey(c => c.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
