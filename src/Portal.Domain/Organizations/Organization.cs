using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Common;
using Platform.Domain.Users;

namespace Platform.Domain.Organizations;

public sealed class Organization
{
    public const int MaxNameLength = 100;
    public const int MaxDescriptionLength = 500;

    public Guid Id { get; init; } = Ids.New();

    public required string Name { get; set; }

    public string? Description { get; set; }

    /// <summary>Mirrors the member whose role is OWNER; the draft's schema keeps it on the organization.</summary>
    public Guid OwnerId { get; set; }

    public PlatformUser? Owner { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class OrganizationConfiguration : IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Organization> builder)
    {
        builder.ToTable("organization");
        builder.Property(o => o.Id).ValueGeneratedNever();
        builder.Property(o => o.Name).HasMaxLength(Organization.MaxNameLength);
        builder.Property(o => o.Description).HasMaxLength(Organization.MaxDescriptionLength);
        builder.HasOne(o => o.Owner).WithMany().HasForeignKey(o => o.OwnerId).OnDelete(DeleteBehavior.Restrict);
    }
}
