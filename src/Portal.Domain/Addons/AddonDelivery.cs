using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Common;
using Platform.Domain.Projects;

namespace Platform.Domain.Addons;

public enum AddonDeliveryStatus
{
    /// <summary>Waiting for its first attempt or for the next retry (<see cref="AddonDelivery.NextAttemptAt"/>).</summary>
    Pending,

    /// <summary>An attempt is claimed and in flight; a portal that stops here counts it as a failed attempt.</summary>
    Sending,

    Delivered,

    /// <summary>Every attempt failed; nothing more is sent.</summary>
    Failed,
}

/// <summary>
/// One notification for one installed addon, and how its sending went: the delivery log. Each attempt is claimed
/// (the count raised, committed) before anything is sent, so no attempt is sent twice, even across a restart. Rows
/// name the addon by kind, so the log outlives an uninstall; they go with the project.
/// </summary>
public sealed class AddonDelivery : ISequenced
{
    public const int MaxErrorLength = 1000;

    public Guid Id { get; init; } = Ids.New();

    public long Sequence { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid ProjectId { get; init; }

    public Project? Project { get; init; }

    public AddonKind Kind { get; init; }

    /// <summary>What is notified: DEPLOYMENT_QUEUED, DEPLOYMENT_SUCCEEDED, DEPLOYMENT_FAILED, DEPLOYMENT_ABORTED, APPLICATION_ERROR, TEST.</summary>
    public required string Event { get; init; }

    public Guid? EnvironmentId { get; init; }

    /// <summary>The event it notifies, when one: unique with the kind, so an event is expanded into deliveries once.</summary>
    public Guid? SourceEventId { get; init; }

    /// <summary>The notification document (jsonb), free of secrets: each sender renders it its own way.</summary>
    public required string Payload { get; init; }

    public AddonDeliveryStatus Status { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset? NextAttemptAt { get; set; }

    public DateTimeOffset? AttemptStartedAt { get; set; }

    /// <summary>The receiver's HTTP status of the last attempt, when it answered one.</summary>
    public int? HttpStatus { get; set; }

    /// <summary>Why the last attempt failed, in words free of secrets.</summary>
    public string? Error { get; set; }

    public int? DurationMs { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// An event that addons may have to hear about, written in the event's own transaction (an outbox): the dispatcher
/// turns it into deliveries after commit, and finds it again after a restart.
/// </summary>
public sealed class AddonOutboxEntry
{
    public Guid EventId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class AddonDeliveryConfiguration : IEntityTypeConfiguration<AddonDelivery>
{
    public void Configure(EntityTypeBuilder<AddonDelivery> builder)
    {
        builder.ToTable("addon_delivery");
        builder.HasSequencedKeys();
        builder.Property(d => d.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(d => d.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(d => d.Event).HasMaxLength(40);
        builder.Property(d => d.Payload).HasColumnType("jsonb");
        builder.Property(d => d.Error).HasMaxLength(AddonDelivery.MaxErrorLength);
        builder.HasIndex(d => new { d.ProjectId, d.Kind, d.Sequence });
        builder.HasIndex(d => new { d.ProjectId, d.Sequence });
        builder.HasIndex(d => new { d.SourceEventId, d.Kind }).IsUnique();
        builder.HasIndex(d => new { d.Status, d.NextAttemptAt });
        builder.HasOne(d => d.Project).WithMany().HasForeignKey(d => d.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AddonOutboxEntryConfiguration : IEntityTypeConfiguration<AddonOutboxEntry>
{
    public void Configure(EntityTypeBuilder<AddonOutboxEntry> builder)
    {
        builder.ToTable("addon_outbox");
        builder.HasKey(e => e.EventId);
        builder.Property(e => e.EventId).ValueGeneratedNever();
    }
}
