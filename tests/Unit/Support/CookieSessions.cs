using System.Net;
using System.Text.RegularExpressions;

namespace Platform.Tests.Support;

/// <summary>Signs in through the portal's real form (antiforgery included), for tests of pages.</summary>
public static partial class CookieSessions
{
    public static async Task<HttpResponseMessage> PostSignInFormAsync(this HttpClient client, string email, string password)
    {
        var page = await client.GetStringAsync("/account/signin");
        var antiforgery = AntiforgeryField().Match(page).Groups[1].Value;
        return await client.PostAsync("/account/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin",
            ["__RequestVerificationToken"] = antiforgery,
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));
    }

    public static async Task<HttpResponseMessage> PostSignUpFormAsync(this HttpClient client, TestUser user)
    {
        var page = await client.GetStringAsync("/account/signup");
        var antiforgery = AntiforgeryField().Match(page).Groups[1].Value;
        return await client.PostAsync("/account/signup", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signup",
            ["__RequestVerificationToken"] = antiforgery,
            ["Input.FirstName"] = user.FirstName,
            ["Input.LastName"] = user.LastName,
            ["Input.Email"] = user.Email,
            ["Input.Password"] = user.Password,
        }));
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
