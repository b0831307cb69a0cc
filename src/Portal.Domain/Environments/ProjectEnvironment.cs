using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Clusters;
using Platform.Domain.Common;
using Platform.Domain.Projects;
using Platform.Domain.Users;

namespace Platform.Domain.Environments;

public enum EnvironmentMode
{
    Development,
    Staging,
    Production,
    Preview,
}

/// <summary>An environment of a project (named so as not to collide with System.Environment).</summary>
public sealed class ProjectEnvironment
{
    public const int MaxNameLength = 100;

    public Guid Id { get; init; } = Ids.New();

    public Guid ProjectId { get; set; }

    public Project? Project { get; init; }

    public Guid ClusterId { get; set; }

    public Cluster? Cluster { get; init; }

    public required string Name { get; set; }

    public EnvironmentMode Mode { get; set; }

    public bool Archived { get; set; }

    /// <summary>Records who changed the environment (or one of its services) last, and when.</summary>
    public void TouchedBy(Guid? userId, DateTimeOffset now)
    {
        LastUpdaterId = userId;
        UpdatedAt = now;
    }

    public DateTimeOffset? ArchivedAt { get; set; }

    public Guid? OwnerId { get; init; }

    public Guid? LastUpdaterId { get; set; }

    public PlatformUser? LastUpdater { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class ProjectEnvironmentConfiguration : IEntityTypeConfiguration<ProjectEnvironment>
{
    public void Configure(EntityTypeBuilder<ProjectEnvironment> builder)
    {
        builder.ToTable("environment");
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.Name).HasMaxLength(ProjectEnvironment.MaxNameLength);
        builder.Property(e => e.Mode).HasConversion<string>().HasMaxLength(20);
        builder.HasIndex(e => new { e.ProjectId, e.Name }).IsUnique();
        builder.HasIndex(e => e.ClusterId);
        builder.HasOne(e => e.Project).WithMany().HasForeignKey(e => e.ProjectId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(e => e.Cluster).WithMany().HasForeignKey(e => e.ClusterId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<PlatformUser>().WithMany().HasForeignKey(e => e.OwnerId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne(e => e.LastUpdater).WithMany().HasForeignKey(e => e.LastUpdaterId).OnDelete(DeleteBehavior.SetNull);
    }
}
