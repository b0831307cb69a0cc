using Microsoft.AspNetCore.Identity;

namespace Platform.Domain.Users;

/// <summary>The account rules, applied to ASP.NET Core Identity by the host and checked by <see cref="UserService"/>.</summary>
public static class UserRules
{
    public const int MaxNameLength = 100;
    public const int MinPasswordLength = 10;
    public const int MaxPasswordLength = 128;

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
        options.SignIn.RequireConfirmedAccount = false;
    }
}
