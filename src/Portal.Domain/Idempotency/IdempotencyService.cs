using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Platform.Domain.Common;

namespace Platform.Domain.Idempotency;

/// <summary>An answer as it is replayed: status, the headers that matter (content type, Location, …) and the body.</summary>
public sealed record StoredAnswer(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body);

/// <summary>What a request with an <c>Idempotency-Key</c> may do.</summary>
public abstract record IdempotencyClaim
{
    private IdempotencyClaim()
    {
    }

    /// <summary>The key is this request's: run it, then <see cref="IdempotencyService.CompleteAsync"/> or <see cref="IdempotencyService.ReleaseAsync"/>.</summary>
    public sealed record Started : IdempotencyClaim;

    /// <summary>The same request ended before: answer what it answered, and do nothing.</summary>
    public sealed record Replay(StoredAnswer Answer) : IdempotencyClaim;

    /// <summary>The same key's first request is still running.</summary>
    public sealed record InProgress : IdempotencyClaim;

    /// <summary>The key was first used for another request (method, path, query, body or token scope).</summary>
    public sealed record Mismatch : IdempotencyClaim;

    /// <summary>The user keeps <see cref="IdempotencyService.MaxKeysPerUser"/> keys already: nothing is run, nothing kept.</summary>
    public sealed record OverLimit : IdempotencyClaim;
}

/// <summary>
/// Idempotency keys (the IETF httpapi Idempotency-Key draft, as Stripe does it): a key belongs to one user for
/// <see cref="Lifetime"/> from its first request. The first request claims the key by inserting its row, so of
/// requests racing with one key exactly one runs; the others find the row (in progress, or the answer to replay).
/// </summary>
public sealed class IdempotencyService(IDbContextFactory<PlatformDbContext> dbFactory, ISecretProtector protector, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <summary>A first request that has not ended after this long never will (the portal stopped during it): the key is free again.</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Keys one user may hold within <see cref="Lifetime"/>: what a user can make the portal store is bounded
    /// (with answers of at most 64 KiB kept), whatever the number of tokens they make.
    /// </summary>
    public const int MaxKeysPerUser = 5_000;

    public async Task<IdempotencyClaim> ClaimAsync(Guid userId, string key, string fingerprint, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var keys = db.Set<IdempotencyKey>();
        var protectedFingerprint = protector.Protect(fingerprint);
        // A row can vanish between the insert that lost and the read (its request failed and released it): try again.
        for (var attempt = 0; ; attempt++)
        {
            var now = clock.GetUtcNow();
            var expired = now - Lifetime;
            var abandoned = now - AbandonedAfter;
            await keys.Where(k => k.UserId == userId && k.Key == key && (k.CreatedAt < expired || (k.Answer == null && k.CreatedAt < abandoned)))
                .ExecuteDeleteAsync(cancellationToken);
            if (attempt == 0 && await keys.Where(k => k.UserId == userId && k.CreatedAt >= expired).Take(MaxKeysPerUser).CountAsync(cancellationToken) >= MaxKeysPerUser
                && !await keys.AnyAsync(k => k.UserId == userId && k.Key == key, cancellationToken))
            {
                return new IdempotencyClaim.OverLimit();
            }

            var inserted = await db.Database.ExecuteSqlAsync($"""
                INSERT INTO idempotency_key (user_id, key, fingerprint, created_at) VALUES ({userId}, {key}, {protectedFingerprint}, {now})
                ON CONFLICT (user_id, key) DO NOTHING
                """, cancellationToken);
            if (inserted == 1)
            {
                return new IdempotencyClaim.Started();
            }

            var found = await keys.AsNoTracking().SingleOrDefaultAsync(k => k.UserId == userId && k.Key == key, cancellationToken);
            if (found is null && attempt < 3)
            {
                continue;
            }

            if (found is null)
            {
                return new IdempotencyClaim.InProgress();
            }

            if (!TryUnprotect(found.Fingerprint, out var first))
            {
                // Written with a key ring this portal no longer has: nothing in it can be checked or replayed.
                await keys.Where(k => k.UserId == userId && k.Key == key && k.CreatedAt == found.CreatedAt).ExecuteDeleteAsync(cancellationToken);
                continue;
            }

            if (!string.Equals(first, fingerprint, StringComparison.Ordinal))
            {
                return new IdempotencyClaim.Mismatch();
            }

            return found.Answer is not null && TryUnprotect(found.Answer, out var answer)
                ? new IdempotencyClaim.Replay(JsonSerializer.Deserialize<StoredAnswer>(answer)!)
                : new IdempotencyClaim.InProgress();
        }
    }

    /// <summary>Keeps the answer of the request that claimed the key, for its repeats.</summary>
    public async Task CompleteAsync(Guid userId, string key, StoredAnswer answer, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stored = protector.Protect(JsonSerializer.Serialize(answer));
        await db.Set<IdempotencyKey>().Where(k => k.UserId == userId && k.Key == key && k.Answer == null)
            .ExecuteUpdateAsync(set => set.SetProperty(k => k.Answer, stored), cancellationToken);
    }

    /// <summary>Frees the key of a request that ended without an answer worth keeping (a failure the client may retry).</summary>
    public async Task ReleaseAsync(Guid userId, string key, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Set<IdempotencyKey>().Where(k => k.UserId == userId && k.Key == key && k.Answer == null).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Deletes the keys past their lifetime; answers how many.</summary>
    public async Task<int> DeleteExpiredAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var expired = clock.GetUtcNow() - Lifetime;
        return await db.Set<IdempotencyKey>().Where(k => k.CreatedAt < expired).ExecuteDeleteAsync(cancellationToken);
    }

    private bool TryUnprotect(string protectedValue, out string value)
    {
        try
        {
            value = protector.Unprotect(protectedValue);
            return true;
        }
        catch (CryptographicException)
        {
            value = "";
            return false;
        }
    }
}
