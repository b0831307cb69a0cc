using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Common;
using Platform.Domain.Organizations;
using Platform.Domain.Services;

namespace Platform.Domain.Events;

/// <summary>
/// Something that happened to a service or an environment, and who caused it: the audit trail and the
/// timelines. Rows outlive the services they name (no foreign key to them), so history survives a delete.
/// </summary>
public sealed class PlatformEvent : ISequenced, IOwned
{
    public Guid Id { get; init; } = Ids.New();

    /// <summary>Commit order, for paging without gaps; assigned by the database under <see cref="EventLog"/>'s lock.</summary>
    public long Sequence { get; init; }

    public Guid OrganizationId { get; init; }

    public Organization? Organization { get; init; }

    public Guid? EnvironmentId { get; init; }

    public ServiceType ServiceType { get; init; }

    public Guid ServiceId { get; init; }

    public required string ServiceName { get; init; }

    /// <summary>What happened or the state reached: CREATED, UPDATED, DELETED, ARCHIVED, CLONED, RUNNING…</summary>
    public required string State { get; init; }

    public SimpleState SimpleState { get; init; }

    public required string Message { get; init; }

    public Guid? OwnerId { get; init; }

    public string? CommitShortId { get; init; }

    public string? CommitLongId { get; init; }

    public string? CommitMessage { get; init; }

    /// <summary>The environment deployment whose progress this event tells, when it tells one.</summary>
    public Guid? DeploymentId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class PlatformEventConfiguration : IEntityTypeConfiguration<PlatformEvent>
{
    public void Configure(EntityTypeBuilder<PlatformEvent> builder)
    {
        builder.ToTable("event");
        builder.HasSequencedKeys();
        builder.Property(e => e.ServiceType).HasConversion<string>().HasMaxLength(20);
        builder.Property(e => e.SimpleState).HasConversion<string>().HasMaxLength(10);
        builder.Property(e => e.ServiceName).HasMaxLength(100);
        builder.Property(e => e.State).HasMaxLength(40);
        builder.Property(e => e.Message).HasMaxLength(1000);
        builder.Property(e => e.CommitShortId).HasMaxLength(12);
        builder.Property(e => e.CommitLongId).HasMaxLength(64);
        builder.Property(e => e.CommitMessage).HasMaxLength(1000);
        // One index per list, each ending in the sequence, so newest-first pages and lastId reads stay index range scans.
        // The organization is included: a page's keys are read from the index alone (HistoryPaging), which is what keeps
        // PostgreSQL from walking the whole table by sequence to find a quiet environment's few, old rows.
        builder.HasIndex(e => new { e.EnvironmentId, e.Sequence }).IncludeProperties(e => e.OrganizationId);
        builder.HasIndex(e => new { e.ServiceId, e.Sequence }).IncludeProperties(e => e.OrganizationId);
        builder.HasIndex(e => new { e.OrganizationId, e.Sequence });
        builder.HasOne(e => e.Organization).WithMany().HasForeignKey(e => e.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
