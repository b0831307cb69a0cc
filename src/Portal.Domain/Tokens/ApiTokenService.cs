using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Platform.Domain.Access;
using Platform.Domain.Common;
using Platform.Domain.Members;
using Platform.Domain.Users;

namespace Platform.Domain.Tokens;

public sealed record IssuedToken(Guid Id, string Name, OrganizationRole? Role, string Token, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

public sealed record TokenView(
    Guid Id,
    string Name,
    OrganizationRole? Role,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt);

/// <summary>Who a presented token speaks for. Organization tokens carry their organization and role.</summary>
public sealed record TokenIdentity(
    Guid TokenId,
    Guid UserId,
    string Email,
    string Name,
    bool IsPlatformAdmin,
    Guid? OrganizationId,
    OrganizationRole? Role);

/// <summary>
/// Issues API tokens and recognises them: personal tokens act as their user; organization tokens act with their
/// role inside their organization only. Tokens carry 256 random bits; only their SHA-256 hash is stored.
/// </summary>
public sealed class ApiTokenService(
    IDbContextFactory<PlatformDbContext> dbFactory, UserService users, TenantAccess access, ApiTokenCache cache, TimeProvider clock)
{
    /// <summary>Whether a token still opens the door (not revoked, not expired): for sessions that outlive one request.</summary>
    public async Task<bool> IsActiveAsync(Guid tokenId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        return await db.ApiTokens.AnyAsync(t => t.Id == tokenId && (t.ExpiresAt == null || t.ExpiresAt > now), cancellationToken);
    }

    public const int MaxNameLength = 100;
    public const string Prefix = "plt_";
    public const string DefaultName = "personal token";

    /// <summary>Writes last-used times at most this often per token, so a busy script doesn't cost a write per call.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    public async Task<Result<IssuedToken>> IssuePersonalTokenAsync(string? email, string? password, string? name)
    {
        var tokenName = string.IsNullOrWhiteSpace(name) ? DefaultName : name.Trim();
        if (tokenName.Length > MaxNameLength)
        {
            return DomainError.Validation("name", $"Name is at most {MaxNameLength} characters.");
        }

        var user = await users.CheckPasswordAsync(email, password);
        if (!user.IsSuccess)
        {
            return user.Error!;
        }

        return await CreateAsync(user.Value.Id, tokenName, organizationId: null, role: null, expiresAt: null);
    }

    public Task<Result<IReadOnlyList<TokenView>>> ListOrganizationTokensAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default) =>
        access.WithAsync<IReadOnlyList<TokenView>>(caller, Resource.Organization(organizationId), Permission.ManageProjects, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            return await db.ApiTokens.Where(t => t.OrganizationId == organizationId)
                .OrderByDescending(t => t.CreatedAt)
                .Select(t => new TokenView(t.Id, t.Name, t.Role, t.User!.FirstName + " " + t.User.LastName, t.CreatedAt, t.ExpiresAt, t.LastUsedAt))
                .ToListAsync(cancellationToken);
        }, cancellationToken);

    public Task<Result<IssuedToken>> CreateOrganizationTokenAsync(
        Caller caller, Guid organizationId, string? name, OrganizationRole? role, DateTimeOffset? expiresAt) =>
        access.WithAsync<IssuedToken>(caller, Resource.Organization(organizationId), Permission.ManageProjects, async _ =>
        {
            var errors = new Dictionary<string, string[]>();
            Validation.RequireText(errors, "name", name, "Name", MaxNameLength);
            if (role is null or OrganizationRole.Owner)
            {
                errors["role"] = ["Choose the token's role: ADMIN, DEVELOPER or VIEWER."];
            }

            if (expiresAt is not null && expiresAt <= clock.GetUtcNow())
            {
                errors["expires_at"] = ["The expiry must be in the future, or null for a token that does not expire."];
            }

            if (errors.Count > 0)
            {
                return DomainError.Validation(errors);
            }

            return await CreateAsync(caller.UserId, name!.Trim(), organizationId, role, expiresAt);
        });

    /// <summary>Revokes a token: one's own personal token, or an organization token by someone who manages them.</summary>
    public async Task<Result<bool>> RevokeAsync(Caller caller, Guid tokenId)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var owner = await db.ApiTokens.Where(t => t.Id == tokenId).Select(t => new { t.UserId, t.OrganizationId }).FirstOrDefaultAsync();
        if (owner is { OrganizationId: null })
        {
            var own = owner.UserId == caller.UserId && !caller.IsOrganizationToken;
            if (own && await db.ApiTokens.Where(t => t.Id == tokenId).ExecuteDeleteAsync() > 0)
            {
                cache.Invalidate();
                return true;
            }

            return DomainError.NotFound("The API token");
        }

        return await access.WithAsync<bool>(caller, Resource.ApiToken(tokenId), Permission.ManageProjects, async _ =>
        {
            await db.ApiTokens.Where(t => t.Id == tokenId).ExecuteDeleteAsync();
            cache.Invalidate();
            return true;
        });
    }

    /// <summary>Answers the identity behind a presented secret, or null when it is unknown, revoked or expired.</summary>
    public async Task<TokenIdentity?> AuthenticateAsync(string presented, CancellationToken cancellationToken = default)
    {
        if (!presented.StartsWith(Prefix, StringComparison.Ordinal) || presented.Length > 200)
        {
            return null;
        }

        var hash = Hash(presented);
        var key = Convert.ToBase64String(hash);
        var now = clock.GetUtcNow();
        var entry = cache.Find(key, now) ?? await ReadAsync(hash, key, now, cancellationToken);
        if (entry is null)
        {
            return null;
        }

        if (entry.LastUsedAt is null || now - entry.LastUsedAt > LastUsedResolution)
        {
            var identity = entry.Identity;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await db.ApiTokens.Where(t => t.Id == identity.TokenId)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), cancellationToken);
            if (identity.OrganizationId is null)
            {
                await db.Users.Where(u => u.Id == identity.UserId)
                    .ExecuteUpdateAsync(s => s.SetProperty(u => u.LastActivityAt, now), cancellationToken);
            }

            cache.Store(key, entry with { LastUsedAt = now });
        }

        return entry.Identity;
    }

    /// <summary>The token from the database, kept in the cache when it is valid.</summary>
    private async Task<ApiTokenCache.Entry?> ReadAsync(byte[] hash, string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var generation = cache.Generation;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await db.ApiTokens
            .Where(t => t.TokenHash == hash && (t.ExpiresAt == null || t.ExpiresAt > now))
            .Select(t => new
            {
                t.Id,
                t.UserId,
                t.LastUsedAt,
                t.ExpiresAt,
                t.OrganizationId,
                t.Role,
                Email = t.User!.Email!,
                t.User.FirstName,
                t.User.LastName,
                t.User.IsPlatformAdmin,
            })
            .FirstOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return null;
        }

        var identity = new TokenIdentity(
            found.Id, found.UserId, found.Email, $"{found.FirstName} {found.LastName}".Trim(), found.IsPlatformAdmin,
            found.OrganizationId, found.Role);
        var entry = new ApiTokenCache.Entry(identity, found.ExpiresAt, found.LastUsedAt, now, generation);
        cache.Store(key, entry);
        return entry;
    }

    private async Task<IssuedToken> CreateAsync(Guid userId, string name, Guid? organizationId, OrganizationRole? role, DateTimeOffset? expiresAt)
    {
        var secret = Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var token = new ApiToken
        {
            Name = name,
            UserId = userId,
            OrganizationId = organizationId,
            Role = role,
            TokenHash = Hash(secret),
            CreatedAt = clock.GetUtcNow(),
            ExpiresAt = expiresAt,
        };

        await using var db = await dbFactory.CreateDbContextAsync();
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync();
        return new IssuedToken(token.Id, token.Name, token.Role, secret, token.CreatedAt, token.ExpiresAt);
    }

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
