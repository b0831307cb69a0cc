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
    DateTimeOffset CreatedAt,
    bool EmailConfirmed = false);

/// <summary>Accounts: sign-up, credential checks and profiles, for the portal's pages and the API alike.</summary>
public sealed class UserService(
    UserManager<PlatformUser> users, IDbContextFactory<PlatformDbContext> dbFactory, IMailQueue mail, AccountMailLimit mailLimit, TimeProvider clock)
{
    /// <summary>Stands in for an unknown address, so that checking its password costs what a wrong password costs.</summary>
    private static readonly PlatformUser Nobody = new() { FirstName = "", LastName = "" };

    private static string? s_nobodysHash;

    /// <summary>
    /// Creates an account. An address that already has one gets the same answer, after the same work, with a
    /// profile that is never stored; its owner is mailed instead. So the answer never tells whether an address
    /// is registered (docs/decisions.md). <paramref name="portal"/> is the base of the sign-in link in that mail.
    /// </summary>
    /// A new account is mailed a confirmation link when <paramref name="portal"/> is given; <paramref name="emailConfirmed"/>
    /// is for accounts the operator makes (the demo user), whose address nobody reads.
    public async Task<Result<UserProfile>> RegisterAsync(
        RegisterUser request, Uri? portal = null, bool isPlatformAdmin = false, bool emailConfirmed = false)
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
            EmailConfirmed = emailConfirmed,
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

        if (portal is not null && !emailConfirmed)
        {
            await MailAsync(await ConfirmationMailAsync(user, portal));
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

    /// <summary>
    /// Mails a password-reset link to the account of this address. The answer is the same, after the same work (a
    /// lookup and one queued mail), whether or not the address has an account: an unknown address is mailed that it
    /// has none (docs/decisions.md). The link's token is never logged or answered.
    /// </summary>
    public async Task<DomainError?> RequestPasswordResetAsync(string? email, Uri portal)
    {
        var address = email?.Trim() ?? "";
        if (!Validation.IsEmail(address))
        {
            return DomainError.Validation("email", "Enter a valid email address.");
        }

        var user = await users.FindByEmailAsync(address);
        await MailAsync(user is null
            ? AccountMails.NoAccount(address, portal)
            : AccountMails.PasswordReset(user, AccountLinks.Reset(portal, user.Id, await users.GeneratePasswordResetTokenAsync(user))));
        return null;
    }

    /// <summary>
    /// Sets a new password with the token of a reset link. A used, expired, altered or foreign token is refused with
    /// one message on <c>token</c>; a weak password on <c>password</c>. Success changes the security stamp, which ends
    /// every other session (at their next check) and every other reset link; and it confirms the address, since the
    /// link was read there.
    /// </summary>
    public async Task<DomainError?> ResetPasswordAsync(Guid userId, string? token, string? password)
    {
        var newPassword = password ?? "";
        if (newPassword.Length is < UserRules.MinPasswordLength or > UserRules.MaxPasswordLength)
        {
            return DomainError.Validation("password", $"Use between {UserRules.MinPasswordLength} and {UserRules.MaxPasswordLength} characters.");
        }

        var user = await users.FindByIdAsync(userId.ToString());
        if (user is null || string.IsNullOrEmpty(token))
        {
            return InvalidLink();
        }

        var reset = await users.ResetPasswordAsync(user, token, newPassword);
        if (!reset.Succeeded)
        {
            return reset.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.InvalidToken)) ? InvalidLink() : ToDomainError(reset);
        }

        user.EmailConfirmed = true;
        user.UpdatedAt = clock.GetUtcNow();
        await users.UpdateAsync(user);
        return null;
    }

    /// <summary>Whether a reset link still works, so its page can say so before a new password is typed.</summary>
    public async Task<bool> IsResetLinkValidAsync(Guid userId, string? token)
    {
        var user = await users.FindByIdAsync(userId.ToString());
        return user is not null && !string.IsNullOrEmpty(token)
            && await users.VerifyUserTokenAsync(user, AccountTokenProvider.Name, UserManager<PlatformUser>.ResetPasswordTokenPurpose, token);
    }

    /// <summary>Confirms the address with the token of a confirmation link; confirming again is harmless.</summary>
    public async Task<DomainError?> ConfirmEmailAsync(Guid userId, string? token)
    {
        var user = await users.FindByIdAsync(userId.ToString());
        if (user is null || string.IsNullOrEmpty(token))
        {
            return InvalidLink();
        }

        if (user.EmailConfirmed)
        {
            return await users.VerifyUserTokenAsync(user, AccountTokenProvider.Name, UserManager<PlatformUser>.ConfirmEmailTokenPurpose, token)
                ? null
                : InvalidLink();
        }

        var confirmed = await users.ConfirmEmailAsync(user, token);
        return confirmed.Succeeded ? null : InvalidLink();
    }

    /// <summary>Mails a new confirmation link to a signed-in user whose address is not confirmed yet; nothing otherwise.</summary>
    public async Task SendEmailConfirmationAsync(Guid userId, Uri portal)
    {
        var user = await users.FindByIdAsync(userId.ToString());
        if (user is { EmailConfirmed: false })
        {
            await MailAsync(await ConfirmationMailAsync(user, portal));
        }
    }

    /// <summary>Queues an account mail unless its address had its hour's share (<see cref="AccountMailLimit"/>).</summary>
    private async Task MailAsync(OutgoingMail message)
    {
        if (mailLimit.TryTake(message.To))
        {
            await mail.EnqueueAsync(message);
        }
    }

    private async Task<OutgoingMail> ConfirmationMailAsync(PlatformUser user, Uri portal) =>
        AccountMails.EmailConfirmation(user, AccountLinks.Confirm(portal, user.Id, await users.GenerateEmailConfirmationTokenAsync(user)));

    public const string InvalidLinkMessage = "This link is invalid or has expired, or it was used already. Ask for a new one.";

    private static DomainError InvalidLink() => DomainError.Validation("token", InvalidLinkMessage);

    /// <summary>On a context of its own: components of one circuit (the layout's banner, the page) may ask at once.</summary>
    public async Task<UserProfile?> FindAsync(Guid userId)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId);
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
        await MailAsync(AccountMails.AddressTaken(owner, portal));
        return ToProfile(candidate);
    }

    private static UserProfile ToProfile(PlatformUser user) =>
        new(user.Id, user.Email!, user.FirstName, user.LastName, user.DisplayName, user.IsPlatformAdmin, user.CreatedAt, user.EmailConfirmed);

    private static DomainError ToDomainError(IdentityResult result)
    {
        var errors = result.Errors
            .GroupBy(e => e.Code.StartsWith("Password", StringComparison.Ordinal) ? "password" : "email")
            .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray());
        return DomainError.Validation(errors);
    }
}
