using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Organizations;

namespace Platform.Domain.Billing.Costs;

/// <summary>
/// A stretch of time an application's live release ran with a fixed number of instances and fixed requests: what its
/// cost is computed from. Opened and closed by the engine's transitions as the live release changes, and replaced at
/// each scale notice (<see cref="RunningIntervals"/>). Ids are copied, not referenced, so that the month's cost
/// outlives a deleted environment.
/// </summary>
public sealed class ServiceRunningInterval
{
    public Guid Id { get; init; } = Common.Ids.New();

    public Guid OrganizationId { get; init; }

    public Organization? Organization { get; init; }

    public Guid ProjectId { get; init; }

    public Guid EnvironmentId { get; init; }

    public Guid ClusterId { get; init; }

    public Guid ServiceId { get; init; }

    /// <summary>The names when it opened, for the month's lines once the environment or project is deleted.</summary>
    public required string ProjectName { get; init; }

    public required string EnvironmentName { get; init; }

    /// <summary>The service deployment whose release ran.</summary>
    public Guid DeploymentId { get; init; }

    /// <summary>CPU cores requested per instance.</summary>
    public decimal Cpu { get; init; }

    /// <summary>Memory requested per instance, in MB (MiB): 1024 make the GiB the price is per.</summary>
    public int MemoryMb { get; init; }

    public int Instances { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Null while it runs.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>
    /// The last time the portal saw it running (the cost job's runs): where an interval a crash left open is closed
    /// when the portal starts again, so the portal's downtime is not billed.
    /// </summary>
    public DateTimeOffset SeenAt { get; set; }
}

internal sealed class ServiceRunningIntervalConfiguration : IEntityTypeConfiguration<ServiceRunningInterval>
{
    public void Configure(EntityTypeBuilder<ServiceRunningInterval> builder)
    {
        builder.ToTable("service_running_interval");
        builder.Property(i => i.Id).ValueGeneratedNever();
        builder.Property(i => i.Cpu).HasPrecision(10, 3);
        builder.Property(i => i.ProjectName).HasMaxLength(100);
        builder.Property(i => i.EnvironmentName).HasMaxLength(100);
        // A service's open interval is looked up at every transition; the month's query reads by time. (Not unique: one
        // save closes the open interval and opens the next, in an order EF Core chooses.)
        builder.HasIndex(i => i.ServiceId).HasFilter("ended_at IS NULL");
        builder.HasIndex(i => new { i.StartedAt, i.EndedAt });
        builder.HasOne(i => i.Organization).WithMany().HasForeignKey(i => i.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
