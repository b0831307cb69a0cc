using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Common;
using Platform.Domain.Organizations;
using Platform.Domain.Users;

namespace Platform.Domain.Projects;

public sealed class Project
{
    public const int MaxNameLength = 100;
    public const int MaxDescriptionLength = 500;

    public Guid Id { get; init; } = Ids.New();

    public Guid OrganizationId { get; init; }

    public Organization? Organization { get; init; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    /// <summary>Who created it (the draft's owner_id).</summary>
    public Guid? OwnerId { get; init; }

    public PlatformUser? Owner { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class ProjectConfiguration : IEntityTypeConfiguration<Project>
{
    public void Configure(EntityTypeBuilder<Project> builder)
    {
        builder.ToTable("project");
        builder.Property(p => p.Id).ValueGeneratedNever();
        builder.Property(p => p.Name).HasMaxLength(Project.MaxNameLength);
        builder.Property(p => p.Description).HasMaxLength(Project.MaxDescriptionLength);
        builder.HasIndex(p => new { p.OrganizationId, p.Name }).IsUnique();
        builder.HasOne(p => p.Organization).WithMany().HasForeignKey(p => p.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(p => p.Owner).WithMany().HasForeignKey(p => p.OwnerId).OnDelete(DeleteBehavior.SetNull);
    }
}
