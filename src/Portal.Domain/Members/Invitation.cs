using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Common;
using Platform.Domain.Organizations;
using Platform.Domain.Users;

namespace Platform.Domain.Members;

public enum InvitationStatus
{
    Pending,
    Accepted,
    Expired,
}

public sealed class Invitation
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    public Guid Id { get; init; } = Ids.New();

    public Guid OrganizationId { get; init; }

    public Organization? Organization { get; init; }

    /// <summary>Stored lower-case: addresses are compared without regard to case.</summary>
    public required string Email { get; init; }

    public OrganizationRole Role { get; init; }

    public Guid InvitedById { get; init; }

    public PlatformUser? InvitedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? AcceptedAt { get; set; }

    /// <summary>
    /// The secret of the invitation's link, encrypted with <see cref="ISecretProtector"/> so that the database
    /// alone does not give it away, and decrypted to show the link to those who manage members. Null for
    /// invitations made before links carried a secret: those can no longer be accepted.
    /// </summary>
    public string? ProtectedToken { get; init; }

    public InvitationStatus StatusAt(DateTimeOffset now) => StatusOf(AcceptedAt, ExpiresAt, now);

    public static InvitationStatus StatusOf(DateTimeOffset? acceptedAt, DateTimeOffset expiresAt, DateTimeOffset now) =>
        acceptedAt is not null ? InvitationStatus.Accepted
        : now >= expiresAt ? InvitationStatus.Expired
        : InvitationStatus.Pending;
}

internal sealed class InvitationConfiguration : IEntityTypeConfiguration<Invitation>
{
    public void Configure(EntityTypeBuilder<Invitation> builder)
    {
        builder.ToTable("invitation");
        builder.Property(i => i.Id).ValueGeneratedNever();
        builder.Property(i => i.Email).HasMaxLength(254);
        builder.Property(i => i.Role).HasConversion<string>().HasMaxLength(20);
        builder.HasIndex(i => new { i.OrganizationId, i.Email });
        builder.HasOne(i => i.Organization).WithMany().HasForeignKey(i => i.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(i => i.InvitedBy).WithMany().HasForeignKey(i => i.InvitedById).OnDelete(DeleteBehavior.Cascade);
    }
}
