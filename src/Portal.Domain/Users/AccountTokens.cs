using System.Buffers.Binary;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;

namespace Platform.Domain.Users;

/// <summary>
/// The tokens in password-reset and email-confirmation links. Like Identity's data-protection provider, a token is the
/// user's id, its purpose, the security stamp and the time it was made, protected by the key ring; unlike it, the
/// time is read from the app's <see cref="TimeProvider"/> (Identity's reads the system clock, which tests cannot move)
/// and the token is base64url, so a link carries it as is. Changing the password changes the stamp, so a reset link
/// works once, and every older reset link stops working.
/// </summary>
public sealed class AccountTokenProvider(IDataProtectionProvider protection, TimeProvider clock) : IUserTwoFactorTokenProvider<PlatformUser>
{
    public const string Name = "Account";

    private readonly IDataProtector _protector = protection.CreateProtector("Platform.Users.AccountTokens");

    public Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<PlatformUser> manager, PlatformUser user) => Task.FromResult(false);

    public async Task<string> GenerateAsync(string purpose, UserManager<PlatformUser> manager, PlatformUser user)
    {
        var stamp = await manager.GetSecurityStampAsync(user) ?? "";
        var text = Encoding.UTF8.GetBytes($"{user.Id:N}\n{purpose}\n{stamp}");
        var payload = new byte[sizeof(long) + text.Length];
        BinaryPrimitives.WriteInt64BigEndian(payload, clock.GetUtcNow().UtcTicks);
        text.CopyTo(payload, sizeof(long));
        return WebEncoders.Base64UrlEncode(_protector.Protect(payload));
    }

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<PlatformUser> manager, PlatformUser user)
    {
        byte[] payload;
        try
        {
            payload = _protector.Unprotect(WebEncoders.Base64UrlDecode(token));
        }
        catch (Exception e) when (e is FormatException or System.Security.Cryptography.CryptographicException)
        {
            return false;
        }

        if (payload.Length < sizeof(long))
        {
            return false;
        }

        var madeAt = new DateTimeOffset(BinaryPrimitives.ReadInt64BigEndian(payload), TimeSpan.Zero);
        var now = clock.GetUtcNow();
        if (madeAt > now || now - madeAt > UserRules.TokenLifetime(purpose))
        {
            return false;
        }

        var stamp = await manager.GetSecurityStampAsync(user) ?? "";
        return Encoding.UTF8.GetString(payload, sizeof(long), payload.Length - sizeof(long)) == $"{user.Id:N}\n{purpose}\n{stamp}";
    }
}
