namespace Platform.Portal.Users;

public sealed class SignInForm
{
    public string Email { get; set; } = "";

    public string Password { get; set; } = "";

    public bool RememberMe { get; set; }
}

public sealed class SignUpForm
{
    public string FirstName { get; set; } = "";

    public string LastName { get; set; } = "";

    public string Email { get; set; } = "";

    public string Password { get; set; } = "";
}

public sealed class ForgotPasswordForm
{
    public string Email { get; set; } = "";
}

public sealed class ResetPasswordForm
{
    public string Password { get; set; } = "";
}

public static class SignInNotices
{
    /// <summary>The query flag the sign-up page sends to sign-in with, for the notice after signing up.</summary>
    public const string SignedUp = "signedUp";

    /// <summary>The query flag the reset page sends to sign-in with, once the new password is set.</summary>
    public const string PasswordReset = "passwordReset";
}

public static class ReturnUrls
{
    /// <summary>
    /// Only local paths, so a crafted link cannot send a user elsewhere after signing in. No control characters either:
    /// browsers drop tabs and line breaks from an address, so <c>/%09/evil.example</c> would become <c>//evil.example</c>.
    /// </summary>
    public static string Safe(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal)
            && !returnUrl.StartsWith("/\\", StringComparison.Ordinal) && !returnUrl.Any(char.IsControl)
            ? returnUrl
            : "/";
}

public static class TokenPages
{
    /// <summary>
    /// For pages whose address holds a token (reset and confirmation links): the browser sends no Referer from them (a
    /// link or asset would carry the address, token and all) and keeps no copy in its cache.
    /// </summary>
    public static void KeepAddressPrivate(HttpContext? http)
    {
        if (http is { Response.HasStarted: false })
        {
            http.Response.Headers["Referrer-Policy"] = "no-referrer";
            http.Response.Headers.CacheControl = "no-store";
        }
    }
}
