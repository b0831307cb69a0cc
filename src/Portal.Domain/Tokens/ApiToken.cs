using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Common;
using Platform.Domain.Members;
using Platform.Domain.Organizations;
using Platform.Domain.Users;

namespace Platform.Domain.Tokens;

/// <summary>A credential for the API. Only the SHA-256 hash of the secret is stored; the secret is shown once.</summary>
public sealed class ApiToken
{
    public Guid Id { get; init; } = Ids.New();

    public required string Name { get; set; }

    /// <summary>The user the token belongs to, or for an organization token the member who created it.</summary>
    public Guid UserId { get; init; }

    public PlatformUser? User { get; init; }

    /// <summary>Set for organization tokens, which act with <see cref="Role"/> in this organization only.</summary>
    public Guid? OrganizationId { get; init; }

    public Organization? Organization { get; init; }

    public OrganizationRole? Role { get; init; }

    public required byte[] TokenHash { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public DateTimeOffset? LastUsedAt { get; set; }
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> builder)
    {
        builder.ToTable("api_token");
        builder.Property(t => t.Id).ValueGeneratedNever();
        builder.Property(t => t.Name).HasMaxLength(ApiTokenService.MaxNameLength);
        builder.HasIndex(t => t.TokenHash).IsUnique();
        builder.Property(t => t.Role).HasConversion<string>().HasMaxLength(20);
        builder.HasOne(t => t.User).WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(t => t.Organization).WithMany().HasForeignKey(t => t.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
