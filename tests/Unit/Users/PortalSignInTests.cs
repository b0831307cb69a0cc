using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Users;
using Platform.Tests.Support;

namespace Platform.Tests.Users;

/// <summary>The portal's cookie sign-in through its real form, and the admin-only job dashboard behind it.</summary>
public sealed class PortalSignInTests(PortalFactory portal) : IClassFixture<PortalFactory>
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
            .RegisterAsync(new RegisterUser(user.Email, user.Password, user.FirstName, user.LastName), isPlatformAdmin);
        Assert.True(created.IsSuccess);
        return user;
    }

    private static async Task SignInAsync(HttpClient client, TestUser user)
    {
        var response = await client.PostSignInFormAsync(user.Email, user.Password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }
}
