using Microsoft.AspNetCore.Identity;

namespace Platform.Domain.Users;

/// <summary>The account rules, applied to ASP.NET Core Identity by the host and checked by <see cref="UserService"/>.</summary>
public static class UserRules
{
    public const int MaxNameLength = 100;
    public const int MinPasswordLength = 10;
    public const int MaxPasswordLength = 128;

    /// <summary>How long a password-reset link works (said in its mail). It also stops working once used.</summary>
    public static readonly TimeSpan PasswordResetLifetime = TimeSpan.FromHours(1);

    /// <summary>How long an email-confirmation link works (said in its mail); the portal's banner sends a new one.</summary>
    public static readonly TimeSpan EmailConfirmationLifetime = TimeSpan.FromDays(3);

    /// <summary>The lifetime of an <see cref="AccountTokenProvider"/> token, by the purpose Identity gives it.</summary>
    public static TimeSpan TokenLifetime(string purpose) =>
        purpose == UserManager<PlatformUser>.ResetPasswordTokenPurpose ? PasswordResetLifetime
        : purpose == UserManager<PlatformUser>.ConfirmEmailTokenPurpose ? EmailConfirmationLifetime
        : TimeSpan.Zero;

    public static void Apply(IdentityOptions options)
    {
        // Length over composition (NIST SP 800-63B): a long passphrase beats "Passw0rd!".
        options.Password.RequiredLength = MinPasswordLength;
        options.Password.RequireDigit = false;
        options.Password.RequireLowercase = false;
        options.Password.RequireUppercase = false;
        options.Password.RequireNonAlphanumeric = false;
        options.Password.RequiredUniqueChars = 4;
        options.User.RequireUniqueEmail = true;
        // No per-account lockout: anyone could lock anyone out with wrong passwords. The per-address rate
        // limit slows guessing instead (docs/decisions.md).
        options.Lockout.AllowedForNewUsers = false;
        // Unconfirmed users may use the portal, with a banner asking them to confirm (docs/decisions.md).
        options.SignIn.RequireConfirmedAccount = false;
        options.Tokens.PasswordResetTokenProvider = AccountTokenProvider.Name;
        options.Tokens.EmailConfirmationTokenProvider = AccountTokenProvider.Name;
    }
}
