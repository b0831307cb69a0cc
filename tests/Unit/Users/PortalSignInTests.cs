using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Users;
using Platform.Tests.Support;

namespace Platform.Tests.Users;

/// <summary>The portal's cookie sign-in through its real form, and the admin-only job dashboard behind it.</summary>
public sealed partial class PortalSignInTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Jobs_WhenAnonymous_RedirectsToSignIn()
    {
        var response = await portal.CreateAnonymousClient().GetAsync("/jobs");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/signin", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_ForAPlatformAdmin_ShowsTheHangfireDashboard()
    {
        var admin = await CreateUserAsync(isPlatformAdmin: true);
        var client = portal.CreateAnonymousClient(handleCookies: true);
        await SignInAsync(client, admin);

        var response = await client.GetAsync("/jobs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Platform jobs", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_ForAnOrdinaryUser_IsDenied()
    {
        var user = await CreateUserAsync(isPlatformAdmin: false);
        var client = portal.CreateAnonymousClient(handleCookies: true);
        await SignInAsync(client, user);

        var response = await client.GetAsync("/jobs");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/denied", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_WithWrongPassword_StaysOnTheFormWithAnError()
    {
        var user = await CreateUserAsync(isPlatformAdmin: false);
        var client = portal.CreateAnonymousClient(handleCookies: true);

        var response = await client.PostSignInFormAsync(user.Email, "wrong password!");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Invalid email or password.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignInForm_ForAnUnknownEmailAndForAWrongPassword_ShowsTheSameError()
    {
        var user = await CreateUserAsync(isPlatformAdmin: false);

        var wrongPassword = await portal.CreateAnonymousClient(handleCookies: true).PostSignInFormAsync(user.Email, "wrong password!");
        var unknownEmail = await portal.CreateAnonymousClient(handleCookies: true).PostSignInFormAsync(ApiSessions.NewUser().Email, "wrong password!");

        Assert.Equal(HttpStatusCode.OK, wrongPassword.StatusCode);
        Assert.Equal(wrongPassword.StatusCode, unknownEmail.StatusCode);
        Assert.Equal(Alerts(await wrongPassword.Content.ReadAsStringAsync()), Alerts(await unknownEmail.Content.ReadAsStringAsync()));
        Assert.Equal(["Invalid email or password."], Alerts(await unknownEmail.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task SignUpForm_WithANewOrATakenEmail_RedirectsAlikeToSignIn_WithoutASession()
    {
        var taken = await CreateUserAsync(isPlatformAdmin: false);

        var fresh = await portal.CreateAnonymousClient(handleCookies: true).PostSignUpFormAsync(ApiSessions.NewUser());
        var again = await portal.CreateAnonymousClient(handleCookies: true).PostSignUpFormAsync(taken with { Password = "someone else's passphrase" });

        Assert.Equal(HttpStatusCode.Redirect, fresh.StatusCode);
        Assert.Equal(fresh.StatusCode, again.StatusCode);
        Assert.Equal(fresh.Headers.Location, again.Headers.Location);
        Assert.StartsWith("/account/signin?signedUp=true", fresh.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        Assert.DoesNotContain(SetCookies(fresh).Concat(SetCookies(again)), c => c.StartsWith("platform.session", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignUp_ThenSignIn_WithTheChosenPassword_OpensASession()
    {
        var user = ApiSessions.NewUser();
        var client = portal.CreateAnonymousClient(handleCookies: true);

        await client.PostSignUpFormAsync(user);
        var signedIn = await client.PostSignInFormAsync(user.Email, user.Password);

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Contains(SetCookies(signedIn), c => c.StartsWith("platform.session", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignInForm_WithoutAntiforgeryToken_IsRejected()
    {
        var user = await CreateUserAsync(isPlatformAdmin: false);
        var client = portal.CreateAnonymousClient(handleCookies: true);

        var response = await client.PostAsync("/account/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin",
            ["Input.Email"] = user.Email,
            ["Input.Password"] = user.Password,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var cookies = response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [];
        Assert.DoesNotContain(cookies, c => c.StartsWith("platform.session", StringComparison.Ordinal));
    }

    private async Task<TestUser> CreateUserAsync(bool isPlatformAdmin)
    {
        var user = ApiSessions.NewUser();
        await using var scope = portal.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<UserService>()
            .RegisterAsync(new RegisterUser(user.Email, user.Password, user.FirstName, user.LastName), isPlatformAdmin: isPlatformAdmin);
        Assert.True(created.IsSuccess);
        return user;
    }

    private static IEnumerable<string> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [];

    /// <summary>The texts of the page's alerts (MudAlert renders role="alert" on its root).</summary>
    private static string[] Alerts(string page) =>
        [.. AlertText().Matches(page).Select(m => System.Net.WebUtility.HtmlDecode(TagText().Replace(m.Groups[1].Value, "")).Trim())];

    [System.Text.RegularExpressions.GeneratedRegex("role=\"alert\"[^>]*>(.*?)</div>\\s*</div>", System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex AlertText();

    [System.Text.RegularExpressions.GeneratedRegex("<[^>]+>")]
    private static partial System.Text.RegularExpressions.Regex TagText();

    private static async Task SignInAsync(HttpClient client, TestUser user)
    {
        var response = await client.PostSignInFormAsync(user.Email, user.Password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }
}
