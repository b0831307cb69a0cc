using System.Net;
using System.Text.RegularExpressions;

namespace Platform.Tests.Support;

/// <summary>Signs in through the portal's real form (antiforgery included), for tests of pages.</summary>
public static partial class CookieSessions
{
    public static Task<HttpResponseMessage> PostSignInFormAsync(this HttpClient client, string email, string password) =>
        client.PostPageFormAsync("/account/signin", "signin", new() { ["Input.Email"] = email, ["Input.Password"] = password });

    public static Task<HttpResponseMessage> PostSignUpFormAsync(this HttpClient client, TestUser user) =>
        client.PostPageFormAsync("/account/signup", "signup", new()
        {
            ["Input.FirstName"] = user.FirstName,
            ["Input.LastName"] = user.LastName,
            ["Input.Email"] = user.Email,
            ["Input.Password"] = user.Password,
        });

    /// <summary>
    /// Opens a page and posts its form <paramref name="formName"/> back to it with these fields, as a browser would;
    /// the antiforgery token comes from <paramref name="tokenFrom"/> instead when the page may show no form now.
    /// </summary>
    public static async Task<HttpResponseMessage> PostPageFormAsync(
        this HttpClient client, string page, string formName, Dictionary<string, string> fields, string? tokenFrom = null)
    {
        var shown = await client.GetStringAsync(tokenFrom ?? page);
        fields["_handler"] = formName;
        fields["__RequestVerificationToken"] = AntiforgeryField().Match(shown).Groups[1].Value;
        return await client.PostAsync(page, new FormUrlEncodedContent(fields));
    }

    /// <summary>A client holding a signed-in portal session for this user.</summary>
    public static async Task<HttpClient> SignedInClientAsync(this PortalFactory portal, TestUser user)
    {
        var client = portal.CreateAnonymousClient(handleCookies: true);
        var response = await client.PostSignInFormAsync(user.Email, user.Password);
        return response.StatusCode == HttpStatusCode.Redirect
            ? client
            : throw new InvalidOperationException($"Signing in as {user.Email} answered {(int)response.StatusCode}.");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
