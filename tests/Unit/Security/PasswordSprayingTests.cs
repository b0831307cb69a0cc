using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Platform.Tests.Support;

namespace Platform.Tests.Security;

/// <summary>A portal that allows 5 password checks per client address per window, the sign-in page and the API together.</summary>
public sealed class SignInLimitedPortal() : LimitedPortal(new Dictionary<string, int> { ["SignIn"] = PasswordSprayingTests.Limit });

/// <summary>
/// Issue 11: one password tried over many accounts from one address is stopped by the per-address limit, with
/// 429 and Retry-After, and no account is locked for its owner. Each test connects from a loopback address of
/// its own, so each starts with a full budget.
/// </summary>
public sealed class PasswordSprayingTests(SignInLimitedPortal limited) : IClassFixture<SignInLimitedPortal>
{
    public const int Limit = 5;

    private PortalFactory Portal => limited.Portal;

    [Fact]
    public async Task PasswordSpraying_ManyAccountsOneWrongPasswordEach_FromOneAddress_Answers429WithRetryAfterAfterTheLimit()
    {
        var accounts = new List<TestUser>();
        for (var i = 0; i < Limit + 3; i++)
        {
            accounts.Add(await limited.CreateUserAsync($"Sprayed{i}"));
        }

        var sprayer = Portal.CreateClientFrom(IPAddress.Parse("127.0.0.2"));
        var answers = new List<HttpResponseMessage>();
        foreach (var account in accounts)
        {
            answers.Add(await sprayer.PostAsJsonAsync("/api/auth/token", new { email = account.Email, password = "Summer2026!", name = "spray" }));
        }

        Assert.All(answers.Take(Limit), a => Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode));
        foreach (var refused in answers.Skip(Limit))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal(429, (await refused.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<int>());
            Assert.InRange(RetryAfter(refused), 1, LimitedPortal.WindowSeconds);
        }
    }

    [Fact]
    public async Task SignInForm_AfterTheLimitWasSpentOnTheApi_Answers429WithAReadablePage()
    {
        var account = await limited.CreateUserAsync("Form");
        var sprayer = Portal.CreateClientFrom(IPAddress.Parse("127.0.0.3"), handleCookies: true);
        for (var i = 0; i < Limit; i++)
        {
            await sprayer.PostAsJsonAsync("/api/auth/token", new { email = account.Email, password = $"guess {i}" });
        }

        var form = await sprayer.PostSignInFormAsync(account.Email, account.Password);

        Assert.Equal(HttpStatusCode.TooManyRequests, form.StatusCode);
        Assert.Equal("text/html", form.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<h1>Too many attempts</h1>", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.InRange(RetryAfter(form), 1, LimitedPortal.WindowSeconds);
        Assert.False(form.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("platform.session", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task WrongPasswordsFromAnotherAddress_BeyondTheLimit_NeverLockTheOwnerOut()
    {
        var victim = await limited.CreateUserAsync("Victim");
        var attacker = Portal.CreateClientFrom(IPAddress.Parse("127.0.0.4"));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < Limit * 3; i++)
        {
            statuses.Add((await attacker.PostAsJsonAsync("/api/auth/token", new { email = victim.Email, password = $"guess {i}" })).StatusCode);
        }

        var ownerApi = await Portal.CreateClientFrom(IPAddress.Parse("127.0.0.5"))
            .PostAsJsonAsync("/api/auth/token", new { email = victim.Email, password = victim.Password });
        var ownerForm = await Portal.CreateClientFrom(IPAddress.Parse("127.0.0.5"), handleCookies: true).PostSignInFormAsync(victim.Email, victim.Password);

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.Equal(HttpStatusCode.Created, ownerApi.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, ownerForm.StatusCode);
    }

    [Fact]
    public async Task SignInPage_ShowingTheForm_DoesNotCountTowardsTheLimit()
    {
        var account = await limited.CreateUserAsync("Looker");
        var client = Portal.CreateClientFrom(IPAddress.Parse("127.0.0.6"), handleCookies: true);
        for (var i = 0; i < Limit * 2; i++)
        {
            (await client.GetAsync("/account/signin")).EnsureSuccessStatusCode();
        }

        var signedIn = await client.PostSignInFormAsync(account.Email, account.Password);

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
    }

    private static int RetryAfter(HttpResponseMessage response) =>
        int.Parse(Assert.Single(response.Headers.GetValues("Retry-After")), CultureInfo.InvariantCulture);
}
