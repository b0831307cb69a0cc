using System.Text.RegularExpressions;
using Platform.Domain.Runtime;

namespace Platform.Domain.Applications;

/// <summary>
/// The secrets git URLs carry, and the one place they are masked. A URL's password (<c>https://user:password@host/…</c>)
/// is a secret; so is its user when an http(s) URL has no password (<c>https://TOKEN@github.com/…</c>). ssh user names
/// (<c>ssh://git@host/…</c>, <c>git@host:org/repo</c>) are not. Settings store a URL in its masked form
/// (<c>https://user:***@host/…</c>, <c>https://***@host/…</c>) and the secret apart, encrypted.
/// </summary>
public static partial class GitUrls
{
    public const string Mask = "***";

    /// <summary>Masks the secrets of every URL in a text: a URL as typed, or a line git printed.</summary>
    public static string Redact(string text) => UserInfo().Replace(text, match =>
    {
        var scheme = match.Groups["scheme"].Value;
        var user = match.Groups["user"].Value;
        var password = match.Groups["password"];
        return password.Success && password.Value.Length > 0 ? $"{scheme}://{user}:{Mask}@"
            : IsHttp(scheme) && user.Length > 0 ? $"{scheme}://{Mask}@"
            : match.Value;
    });

    /// <summary>
    /// The URL as git is given it, without what <see cref="CredentialsFor"/> carries: an http(s) URL loses its user and
    /// password, another (ssh) keeps its user, which is no secret and which ssh needs, and loses its password.
    /// </summary>
    public static string WithoutCredentials(string url) => Parse(url) switch
    {
        { Secret: null } or null => url,
        { SecretIsUser: true } parts => parts.Prefix + parts.Rest,
        var parts when IsHttp(parts.Prefix[..^3]) => parts.Prefix + parts.Rest,
        var parts => $"{parts.Prefix}{parts.User}@{parts.Rest}",
    };

    /// <summary>Whether the URL, as stored, stands for a secret kept apart.</summary>
    public static bool HasSecret(string url) => Parse(url)?.Secret is not null;

    /// <summary>What git authenticates with: the stored URL's user and the secret kept apart, percent-decoding undone.</summary>
    public static GitCredentials? CredentialsFor(string url, string? secret)
    {
        if (Parse(url) is not { Secret: not null } parts || secret is null)
        {
            return null;
        }

        return parts.SecretIsUser
            ? new GitCredentials(Uri.UnescapeDataString(secret), "")
            : new GitCredentials(Uri.UnescapeDataString(parts.User), Uri.UnescapeDataString(secret));
    }

    /// <summary>
    /// A URL as a caller typed it, split into the form settings store (its secret masked) and the secret, if it
    /// carries one that is not already the mask.
    /// </summary>
    public static (string Stored, string? Secret) Split(string url)
    {
        if (Parse(url) is not { Secret: { } secret } parts)
        {
            return (url, null);
        }

        var masked = parts.SecretIsUser ? $"{parts.Prefix}{Mask}@{parts.Rest}" : $"{parts.Prefix}{parts.User}:{Mask}@{parts.Rest}";
        return (masked, secret == Mask ? null : secret);
    }

    /// <summary>
    /// Whether a masked URL may keep the secret stored for another: only for the same scheme, user and host, so a
    /// changed host never receives the secret another host was given.
    /// </summary>
    public static bool SameAccount(string url, string other) =>
        Parse(url) is { Secret: not null } a && Parse(other) is { Secret: not null } b
        && a.SecretIsUser == b.SecretIsUser
        && string.Equals(a.Prefix, b.Prefix, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.User, b.User, StringComparison.Ordinal)
        && string.Equals(Host(a.Rest), Host(b.Rest), StringComparison.OrdinalIgnoreCase);

    /// <param name="Prefix">The scheme and <c>://</c>.</param>
    /// <param name="User">The user part ("" for a token given as the user).</param>
    /// <param name="Secret">The password, or the token given as the user; null when the URL carries neither.</param>
    /// <param name="Rest">The host and everything after it.</param>
    private sealed record Parts(string Prefix, string User, string? Secret, bool SecretIsUser, string Rest);

    /// <summary>A URL with user information (<c>scheme://userinfo@host…</c>); null for paths, scp-like and plain URLs.</summary>
    private static Parts? Parse(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0 || !Scheme().IsMatch(url[..schemeEnd]))
        {
            return null;
        }

        var start = schemeEnd + 3;
        var authorityEnd = url.IndexOfAny(['/', '?', '#'], start);
        var authority = authorityEnd < 0 ? url[start..] : url[start..authorityEnd];
        var at = authority.LastIndexOf('@');
        if (at < 0)
        {
            return null;
        }

        var prefix = url[..start];
        var userInfo = authority[..at];
        var rest = url[(start + at + 1)..];
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        var user = colon < 0 ? userInfo : userInfo[..colon];
        var password = colon < 0 ? "" : userInfo[(colon + 1)..];
        return password.Length > 0 ? new Parts(prefix, user, password, SecretIsUser: false, rest)
            : IsHttp(url[..schemeEnd]) && user.Length > 0 ? new Parts(prefix, "", user, SecretIsUser: true, rest)
            : new Parts(prefix, user, null, SecretIsUser: false, rest);
    }

    private static string Host(string rest)
    {
        var end = rest.IndexOfAny(['/', '?', '#']);
        return end < 0 ? rest : rest[..end];
    }

    private static bool IsHttp(string scheme) =>
        scheme.Equals("http", StringComparison.OrdinalIgnoreCase) || scheme.Equals("https", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*$")]
    private static partial Regex Scheme();

    /// <summary>scheme://user[:password]@ in running text; the password runs to the authority's last @.</summary>
    [GeneratedRegex(@"(?<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?<user>[^/?#:\s]*)(?::(?<password>[^/?#\s]*))?@", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex UserInfo();
}
