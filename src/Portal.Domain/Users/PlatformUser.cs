using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Platform.Domain.Users;

public sealed class PlatformUser : IdentityUser<Guid>
{
    public PlatformUser()
    {
        Id = Guid.CreateVersion7();
    }

    public required string FirstName { get; set; }

    public required string LastName { get; set; }

    /// <summary>May open the Hangfire dashboard and other instance-wide tools; not an organization role.</summary>
    public bool IsPlatformAdmin { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string DisplayName => $"{FirstName} {LastName}".Trim();
}

internal sealed class PlatformUserConfiguration : IEntityTypeConfiguration<PlatformUser>
{
    public void Configure(EntityTypeBuilder<PlatformUser> builder)
    {
        // The draft's schema names the table `_user`: `user` is reserved in PostgreSQL.
        builder.ToTable("_user");
        builder.Property(u => u.Id).ValueGeneratedNever();
        builder.Property(u => u.FirstName).HasMaxLength(UserRules.MaxNameLength);
        builder.Property(u => u.LastName).HasMaxLength(UserRules.MaxNameLength);
        builder.HasIndex(u => u.NormalizedEmail).HasDatabaseName("ix_user_normalized_email").IsUnique();
        builder.HasIndex(u => u.NormalizedUserName).HasDatabaseName("ix_user_normalized_user_name").IsUnique();
    }
}
