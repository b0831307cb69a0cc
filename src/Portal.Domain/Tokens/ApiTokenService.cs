using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Platform.Domain.Common;
using Platform.Domain.Users;

namespace Platform.Domain.Tokens;

public sealed record IssuedToken(Guid Id, string Name, string Token, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>Who a presented token speaks for.</summary>
public sealed record TokenIdentity(Guid TokenId, Guid UserId, string Email, string Name, bool IsPlatformAdmin);

/// <summary>Issues API tokens and recognises them. Tokens carry 256 random bits; only their hash is kept.</summary>
public sealed class ApiTokenService(IDbContextFactory<PlatformDbContext> dbFactory, UserService users, TimeProvider clock)
{
    public const int MaxNameLength = 100;
    public const string Prefix = "plt_";
    public const string DefaultName = "personal token";

    /// <summary>Writes to last_used_at at most this often per token, so a busy script doesn't cost a write per call.</summary>
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

        return await CreateAsync(user.Value.Id, tokenName, expiresAt: null);
    }

    public async Task<IssuedToken> CreateAsync(Guid userId, string name, DateTimeOffset? expiresAt)
    {
        var secret = Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var token = new ApiToken
        {
            Name = name,
            UserId = userId,
            TokenHash = Hash(secret),
            CreatedAt = clock.GetUtcNow(),
            ExpiresAt = expiresAt,
        };

        await using var db = await dbFactory.CreateDbContextAsync();
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync();
        return new IssuedToken(token.Id, token.Name, secret, token.CreatedAt, token.ExpiresAt);
    }

    /// <summary>Answers the identity behind a presented secret, or null when it is unknown or expired.</summary>
    public async Task<TokenIdentity?> AuthenticateAsync(string presented, CancellationToken cancellationToken = default)
    {
        if (!presented.StartsWith(Prefix, StringComparison.Ordinal) || presented.Length > 200)
        {
            return null;
        }

        var hash = Hash(presented);
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await db.ApiTokens
            .Where(t => t.TokenHash == hash && (t.ExpiresAt == null || t.ExpiresAt > now))
            .Select(t => new
            {
                t.Id,
                t.UserId,
                t.LastUsedAt,
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

        if (found.LastUsedAt is null || now - found.LastUsedAt > LastUsedResolution)
        {
            await db.ApiTokens.Where(t => t.Id == found.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), cancellationToken);
        }

        return new TokenIdentity(found.Id, found.UserId, found.Email, $"{found.FirstName} {found.LastName}".Trim(), found.IsPlatformAdmin);
    }

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
