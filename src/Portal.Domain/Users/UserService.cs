using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Platform.Domain.Common;

namespace Platform.Domain.Users;

/// <param name="ReferralCode">The code of the referral link the person signed up through, if any.</param>
public sealed record RegisterUser(string? Email, string? Password, string? FirstName, string? LastName, string? ReferralCode = null);

public sealed record UserProfile(
    Guid Id,
    string Email,
    string FirstName,
    string LastName,
    string Name,
    bool IsPlatformAdmin,
    DateTimeOffset CreatedAt);

/// <summary>Accounts: sign-up, credential checks and profiles, for the portal's pages and the API alike.</summary>
public sealed class UserService(UserManager<PlatformUser> users, IMailQueue mail, TimeProvider clock)
{
    /// <summary>Stands in for an unknown address, so that checking its password costs what a wrong password costs.</summary>
    private static readonly PlatformUser Nobody = new() { FirstName = "", LastName = "" };

    private static string? s_nobodysHash;

    /// <summary>
    /// Creates an account. An address that already has one gets the same answer, after the same work, with a
    /// profile that is never stored; its owner is mailed instead. So the answer never tells whether an address
    /// is registered (docs/decisions.md). <paramref name="portal"/> is the base of the sign-in link in that mail.
    /// </summary>
    public async Task<Result<UserProfile>> RegisterAsync(RegisterUser request, Uri? portal = null, bool isPlatformAdmin = false)
    {
        var errors = new Dictionary<string, string[]>();
        var email = request.Email?.Trim() ?? "";
        if (!Validation.IsEmail(email))
        {
            errors["email"] = ["Enter a valid email address."];
        }

        Validation.RequireText(errors, "first_name", request.FirstName, "First name", UserRules.MaxNameLength);
        Validation.RequireText(errors, "last_name", request.LastName, "Last name", UserRules.MaxNameLength);

        var password = request.Password ?? "";
        if (password.Length is < UserRules.MinPasswordLength or > UserRules.MaxPasswordLength)
        {
            errors["password"] = [$"Use between {UserRules.MinPasswordLength} and {UserRules.MaxPasswordLength} characters."];
        }

        if (errors.Count > 0)
        {
            return DomainError.Validation(errors);
        }

        var existing = await users.FindByEmailAsync(email);
        var now = clock.GetUtcNow();
        var referrer = string.IsNullOrWhiteSpace(request.ReferralCode)
            ? null
            : await users.Users.Where(u => u.ReferralCode == request.ReferralCode.Trim()).Select(u => (Guid?)u.Id).FirstOrDefaultAsync();
        var user = new PlatformUser
        {
            UserName = email,
            Email = email,
            FirstName = request.FirstName!.Trim(),
            LastName = request.LastName!.Trim(),
            IsPlatformAdmin = isPlatformAdmin,
            ReferralCode = ReferralCodes.New(),
            ReferredById = referrer,
            CreatedAt = now,
            UpdatedAt = now,
        };

        if (existing is not null)
        {
            return await AnswerTakenAddressAsync(existing, user, password, portal);
        }

        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
        {
            return ToDomainError(created);
        }

        return ToProfile(user);
    }

    /// <summary>
    /// Checks an email and password. An unknown address and a wrong password answer the same, after the same
    /// work. No account is ever locked: the per-address rate limit slows guessing instead (docs/decisions.md).
    /// </summary>
    public async Task<Result<PlatformUser>> CheckPasswordAsync(string? email, string? password)
    {
        var invalid = DomainError.Unauthorized("Invalid email or password.");
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
        {
            return invalid;
        }

        var user = await users.FindByEmailAsync(email.Trim());
        if (user is null)
        {
            s_nobodysHash ??= users.PasswordHasher.HashPassword(Nobody, ReferralCodes.New());
            users.PasswordHasher.VerifyHashedPassword(Nobody, s_nobodysHash, password);
            return invalid;
        }

        if (!await users.CheckPasswordAsync(user, password))
        {
            return invalid;
        }

        user.LastActivityAt = clock.GetUtcNow();
        await users.UpdateAsync(user);
        return user;
    }

    public async Task<UserProfile?> FindAsync(Guid userId)
    {
        var user = await users.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId);
        return user is null ? null : ToProfile(user);
    }

    public async Task<UserProfile?> FindByEmailAsync(string email)
    {
        var user = await users.FindByEmailAsync(email);
        return user is null ? null : ToProfile(user);
    }

    /// <summary>What a fresh sign-up would do and answer, without storing anything: the owner of the address hears of it.</summary>
    private async Task<Result<UserProfile>> AnswerTakenAddressAsync(PlatformUser owner, PlatformUser candidate, string password, Uri? portal)
    {
        var weak = new List<IdentityError>();
        foreach (var validator in users.PasswordValidators)
        {
            weak.AddRange((await validator.ValidateAsync(users, candidate, password)).Errors);
        }

        if (weak.Count > 0)
        {
            return ToDomainError(IdentityResult.Failed([.. weak]));
        }

        _ = users.PasswordHasher.HashPassword(candidate, password);
        await mail.EnqueueAsync(AddressTakenMail(owner, portal));
        return ToProfile(candidate);
    }

    private static OutgoingMail AddressTakenMail(PlatformUser owner, Uri? portal) => new(
        owner.Email!,
        "Someone tried to sign up to Platform with your address",
        $"""
        Hello {owner.FirstName},

        Someone, perhaps you, tried to create a Platform account with {owner.Email}, which already has one.
        Nothing changed: no account was created, and your password is the same.

        If it was you, sign in instead{(portal is null ? "." : $": {new Uri(portal, "account/signin")}")}

        If it was not, you can ignore this message.
        """);

    private static UserProfile ToProfile(PlatformUser user) =>
        new(user.Id, user.Email!, user.FirstName, user.LastName, user.DisplayName, user.IsPlatformAdmin, user.CreatedAt);

    private static DomainError ToDomainError(IdentityResult result)
    {
        var errors = result.Errors
            .GroupBy(e => e.Code.StartsWith("Password", StringComparison.Ordinal) ? "password" : "email")
            .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray());
        return DomainError.Validation(errors);
    }
}
