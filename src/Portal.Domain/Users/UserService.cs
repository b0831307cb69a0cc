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
public sealed class UserService(UserManager<PlatformUser> users, TimeProvider clock)
{
    public async Task<Result<UserProfile>> RegisterAsync(RegisterUser request, bool isPlatformAdmin = false)
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

        if (await users.FindByEmailAsync(email) is not null)
        {
            return DomainError.Conflict("An account with this email already exists. Sign in instead.");
        }

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

        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
        {
            return ToDomainError(created);
        }

        return ToProfile(user);
    }

    /// <summary>
    /// Checks an email and password, counting failures towards the lockout. The error never says which of
    /// the two was wrong.
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
            return invalid;
        }

        if (await users.IsLockedOutAsync(user))
        {
            return DomainError.Unauthorized("Too many failed attempts. Try again in a few minutes.");
        }

        if (!await users.CheckPasswordAsync(user, password))
        {
            await users.AccessFailedAsync(user);
            return invalid;
        }

        user.LastActivityAt = clock.GetUtcNow();
        await users.ResetAccessFailedCountAsync(user);
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
