using Platform.Domain.Common;

namespace Platform.Domain.Users;

/// <summary>The links in account mails, on the portal's public address; the portal's pages read the same query names.</summary>
public static class AccountLinks
{
    public const string ResetPath = "account/reset";
    public const string ConfirmPath = "account/confirm";
    public const string UserParameter = "user";
    public const string TokenParameter = "token";

    public static Uri Reset(Uri portal, Guid userId, string token) => With(portal, ResetPath, userId, token);

    public static Uri Confirm(Uri portal, Guid userId, string token) => With(portal, ConfirmPath, userId, token);

    private static Uri With(Uri portal, string path, Guid userId, string token) =>
        new(portal, $"{path}?{UserParameter}={userId}&{TokenParameter}={Uri.EscapeDataString(token)}");
}

/// <summary>The texts of the mails about an account.</summary>
public static class AccountMails
{
    public static OutgoingMail AddressTaken(PlatformUser owner, Uri? portal) => new(
        owner.Email!,
        "Someone tried to sign up to Platform with your address",
        $"""
        Hello {owner.FirstName},

        Someone, perhaps you, tried to create a Platform account with {owner.Email}, which already has one.
        Nothing changed: no account was created, and your password is the same.

        If it was you, sign in instead{(portal is null ? "." : $": {new Uri(portal, "account/signin")}")}
        If you forgot your password, you can set a new one{(portal is null ? "." : $": {new Uri(portal, "account/forgot")}")}

        If it was not, you can ignore this message.
        """);

    public static OutgoingMail EmailConfirmation(PlatformUser user, Uri link) => new(
        user.Email!,
        "Confirm your email address for Platform",
        $"""
        Hello {user.FirstName},

        Welcome to Platform. Open this link to confirm that {user.Email} is your address:

        {link}

        The link works for {Durations.Spoken(UserRules.EmailConfirmationLifetime)}; the portal can send you a new one.
        If you did not create this account, you can ignore this message.
        """);

    public static OutgoingMail PasswordReset(PlatformUser user, Uri link) => new(
        user.Email!,
        "Set a new Platform password",
        $"""
        Hello {user.FirstName},

        Someone, perhaps you, asked to set a new password for the Platform account {user.Email}.
        Open this link to choose it:

        {link}

        The link works for {Durations.Spoken(UserRules.PasswordResetLifetime)}, and once. Setting a new password signs you out everywhere else.
        If you did not ask, ignore this message: your password stays the same.
        """);

    public static OutgoingMail NoAccount(string address, Uri portal) => new(
        address,
        "Set a new Platform password",
        $"""
        Hello,

        Someone, perhaps you, asked to set a new password for the Platform account {address}.
        There is no account with this address. If you have one, it is under another address: ask again with that one.

        To create an account: {new Uri(portal, "account/signup")}

        If you did not ask, you can ignore this message.
        """);
}
