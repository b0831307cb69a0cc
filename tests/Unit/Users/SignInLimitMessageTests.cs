using System.Net;
using System.Text.RegularExpressions;
using Platform.Tests.Support;

namespace Platform.Tests.Users;

/// <summary>A portal that allows 2 sign-in posts per client address per 10-minute window.</summary>
public sealed class TwoSignInsPortal() : LimitedPortal(new Dictionary<string, int> { ["SignIn"] = SignInLimitMessageTests.Limit });

/// <summary>Issue 16 point 8: the page that refuses sign-in says for how long, and says it alike for every email.</summary>
public sealed partial class SignInLimitMessageTests(TwoSignInsPortal limited) : IClassFixture<TwoSignInsPortal>
{
    public const int Limit = 2;

    [Fact]
    public async Task SignInForm_OverTheLimit_SaysHowLongToWait()
    {
        var user = await limited.CreateUserAsync();
        var client = limited.Portal.CreateClientFrom(IPAddress.Parse("127.0.3.1"), handleCookies: true);

        for (var i = 0; i < Limit; i++)
        {
            await client.PostSignInFormAsync(user.Email, "wrong password!");
        }

        var refused = await client.PostSignInFormAsync(user.Email, "wrong password!");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("Too many sign-in attempts from your address: try again in 10 minutes.", Alert(await refused.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task SignInForm_OverTheLimit_AnswersTheSameForAnUnknownEmail()
    {
        var user = await limited.CreateUserAsync();
        var known = limited.Portal.CreateClientFrom(IPAddress.Parse("127.0.3.2"), handleCookies: true);
        var unknown = limited.Portal.CreateClientFrom(IPAddress.Parse("127.0.3.3"), handleCookies: true);
        var stranger = ApiSessions.NewUser("Stranger").Email;
        for (var i = 0; i < Limit; i++)
        {
            await known.PostSignInFormAsync(user.Email, "wrong password!");
            await unknown.PostSignInFormAsync(stranger, "wrong password!");
        }

        var forKnown = await known.PostSignInFormAsync(user.Email, "wrong password!");
        var forUnknown = await unknown.PostSignInFormAsync(stranger, "wrong password!");

        Assert.Equal(forKnown.StatusCode, forUnknown.StatusCode);
        Assert.Equal(await forKnown.Content.ReadAsStringAsync(), await forUnknown.Content.ReadAsStringAsync());
    }

    private static string Alert(string page) => AlertText().Match(page).Groups[1].Value;

    [GeneratedRegex("<p role=\"alert\">([^<]*)</p>")]
    private static partial Regex AlertText();
}
