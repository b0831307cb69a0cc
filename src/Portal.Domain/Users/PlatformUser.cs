using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Common;

namespace Platform.Domain.Users;

public sealed class PlatformUser : IdentityUser<Guid>
{
    public PlatformUser()
    {
        Id = Ids.New();
    }

    public required string FirstName { get; set; }

    public required string LastName { get; set; }

    /// <summary>May open the Hangfire dashboard and other instance-wide tools; not an organization role.</summary>
    public bool IsPlatformAdmin { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The last time the user signed in or called the API (kept to the minute).</summary>
    public DateTimeOffset? LastActivityAt { get; set; }

    /// <summary>The code in this user's referral link.</summary>
    public string? ReferralCode { get; set; }

    /// <summary>Who referred this user, when they signed up through a referral link.</summary>
    public Guid? ReferredById { get; set; }

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
        builder.Property(u => u.ReferralCode).HasMaxLength(32);
        builder.HasIndex(u => u.ReferralCode).IsUnique();
        builder.HasIndex(u => u.ReferredById);
        builder.HasOne<PlatformUser>().WithMany().HasForeignKey(u => u.ReferredById).OnDelete(DeleteBehavior.SetNull);
    }
}
