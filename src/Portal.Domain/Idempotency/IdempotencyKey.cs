using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Users;

namespace Platform.Domain.Idempotency;

/// <summary>
/// One use of an <c>Idempotency-Key</c> by one user: the request it was first sent with and, once that request
/// ended, the answer to replay. Both are encrypted (<see cref="Common.ISecretProtector"/>): an answer may show a
/// secret once (a token, an invitation link) and a request body may carry one.
/// </summary>
public sealed class IdempotencyKey
{
    public const int MaxKeyLength = 255;

    public Guid UserId { get; init; }

    public PlatformUser? User { get; init; }

    public required string Key { get; init; }

    /// <summary>The protected fingerprint of the first request (method, path and query, body SHA-256, token scope).</summary>
    public required string Fingerprint { get; init; }

    /// <summary>The protected answer to replay; null while the first request is still running.</summary>
    public string? Answer { get; set; }

    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class IdempotencyKeyConfiguration : IEntityTypeConfiguration<IdempotencyKey>
{
    public void Configure(EntityTypeBuilder<IdempotencyKey> builder)
    {
        builder.ToTable("idempotency_key");
        builder.HasKey(k => new { k.UserId, k.Key });
        builder.Property(k => k.Key).HasMaxLength(IdempotencyKey.MaxKeyLength);
        builder.HasIndex(k => k.CreatedAt);
        builder.HasOne(k => k.User).WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
