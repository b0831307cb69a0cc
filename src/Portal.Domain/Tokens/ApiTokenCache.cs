using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Platform.Domain.Common;
using Platform.Domain.Members;
using Platform.Domain.Organizations;
using Platform.Domain.Users;

namespace Platform.Domain.Tokens;

/// <summary>
/// The identities behind recently presented tokens, so that a busy client's requests do not each look their token
/// up. Nothing stale is ever answered: any committed change to a token, a user or an organization (a revocation, a
/// deleted organization and its tokens, a changed name or admin flag) empties the cache before the next request is
/// authenticated, an expiry is checked on every hit, and an entry lives <see cref="Lifetime"/> at most besides.
/// One portal process serves an instance, so eviction in the process is enough (docs/decisions.md, issue 17).
/// </summary>
public sealed class ApiTokenCache
{
    /// <summary>How long an entry may answer without a look at the database.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    /// <summary>Beyond this many tokens the cache starts afresh rather than grow without bound.</summary>
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _generation;

    /// <summary>A token as it was read, at a generation of the cache: <see cref="Store"/> refuses one read before an invalidation.</summary>
    internal sealed record Entry(TokenIdentity Identity, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset ReadAt, long Generation);

    /// <summary>Taken before reading a token from the database, and given back with it to <see cref="Store"/>.</summary>
    internal long Generation => Interlocked.Read(ref _generation);

    internal Entry? Find(string key, DateTimeOffset now) =>
        _entries.TryGetValue(key, out var entry)
            && entry.Generation == Generation
            && now - entry.ReadAt < Lifetime
            && (entry.ExpiresAt is null || entry.ExpiresAt > now)
            ? entry
            : null;

    internal void Store(string key, Entry entry)
    {
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        _entries[key] = entry;
        // An invalidation between the read and now: the read may predate the change, so it does not stay.
        if (entry.Generation != Generation)
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
        }
    }

    /// <summary>Forgets every token: called once a change that a token's identity depends on is committed.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }
}

/// <summary>Empties <see cref="ApiTokenCache"/> after any save that changed or removed a token, a user, an organization or a membership.</summary>
public sealed class ApiTokenCacheInterceptor(ApiTokenCache cache) : AfterCommitInterceptor<object>
{
    private static readonly object Changed = new();

    protected override object? Collect(DbContext context, object? already) =>
        already ?? (context.ChangeTracker.Entries().Any(e => e.State is EntityState.Modified or EntityState.Deleted
            && e.Entity is ApiToken or PlatformUser or Organization or OrganizationMember) ? Changed : null);

    protected override void AfterCommit(object pending) => cache.Invalidate();
}
