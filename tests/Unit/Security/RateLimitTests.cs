using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Platform.Tests.Support;

namespace Platform.Tests.Security;

/// <summary>A portal with low limits on the API (per token), sign-up and invitations (per address).</summary>
public sealed class ApiLimitedPortal() : LimitedPortal(new Dictionary<string, int>
{
    ["Api"] = RateLimitTests.ApiLimit,
    ["SignUp"] = RateLimitTests.AddressLimit,
    ["Invitation"] = RateLimitTests.AddressLimit,
});

/// <summary>
/// The rate limits other than sign-in's: per API token on the API, per client address on sign-up and on
/// invitation links. Each test uses tokens and a loopback address of its own.
/// </summary>
public sealed class RateLimitTests(ApiLimitedPortal limited) : IClassFixture<ApiLimitedPortal>
{
    public const int ApiLimit = 5;
    public const int AddressLimit = 3;

    private PortalFactory Portal => limited.Portal;

    [Fact]
    public async Task Api_OverTheLimitOfAToken_Answers429ProblemWithRetryAfter()
    {
        var client = Portal.CreateBearerClient(await limited.IssueTokenAsync(await limited.CreateUserAsync()));

        var allowed = new List<HttpStatusCode>();
        for (var i = 0; i < ApiLimit; i++)
        {
            allowed.Add((await client.GetAsync("/api/user")).StatusCode);
        }

        var refused = await client.GetAsync("/api/user");

        Assert.All(allowed, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = (await refused.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(429, problem["status"]!.GetValue<int>());
        Assert.Equal("/api/user", problem.Text("instance"));
        Assert.InRange(RetryAfter(refused), 1, LimitedPortal.WindowSeconds);
    }

    [Fact]
    public async Task Api_OverTheLimitOfAToken_LeavesAnotherTokenFromTheSameAddressAlone()
    {
        var user = await limited.CreateUserAsync();
        var spent = Portal.CreateBearerClient(await limited.IssueTokenAsync(user));
        var other = Portal.CreateBearerClient(await limited.IssueTokenAsync(await limited.CreateUserAsync()));
        for (var i = 0; i <= ApiLimit; i++)
        {
            await spent.GetAsync("/api/user");
        }

        var stillSpent = await spent.GetAsync("/api/user");
        var fresh = await other.GetAsync("/api/user");

        Assert.Equal(HttpStatusCode.TooManyRequests, stillSpent.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task Api_WithoutAValidToken_IsLimitedPerAddress()
    {
        var anonymous = Portal.CreateClientFrom(IPAddress.Parse("127.0.1.1"));
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "plt_" + new string('x', 43));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= ApiLimit; i++)
        {
            statuses.Add((await anonymous.GetAsync("/api/user")).StatusCode);
        }

        Assert.All(statuses.Take(ApiLimit), status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task SignUp_FromOneAddress_IsLimited_TheApiAndThePageTogether()
    {
        var client = Portal.CreateClientFrom(IPAddress.Parse("127.0.1.2"), handleCookies: true);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < AddressLimit; i++)
        {
            statuses.Add((await client.RegisterAsync(ApiSessions.NewUser())).StatusCode);
        }

        var api = await client.RegisterAsync(ApiSessions.NewUser());
        var page = await client.PostSignUpFormAsync(ApiSessions.NewUser());

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.Created, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.TooManyRequests, page.StatusCode);
        Assert.Contains("Too many attempts", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.InRange(RetryAfter(page), 1, LimitedPortal.WindowSeconds);
    }

    [Fact]
    public async Task AcceptInvitation_GuessingTokensFromOneAddress_Answers429AfterTheLimit()
    {
        var owner = Portal.CreateBearerClient(await limited.IssueTokenAsync(await limited.CreateUserAsync("Owner")));
        var organization = await owner.CreateOrganizationAsync("Guessed");
        var invitee = await limited.CreateUserAsync("Guesser");
        var invitation = await owner.SendInvitationAsync(organization, invitee.Email, "ADMIN");
        var guesser = Portal.CreateClientFrom(IPAddress.Parse("127.0.1.3"));
        guesser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await limited.IssueTokenAsync(invitee));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < AddressLimit; i++)
        {
            statuses.Add((await guesser.PostAcceptAsync(organization, invitation.Id, $"guess{i}")).StatusCode);
        }

        var rightTokenTooLate = await guesser.PostAcceptAsync(organization, invitation.Id, invitation.Token);

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.NotFound, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, rightTokenTooLate.StatusCode);
        Assert.False(Assert.Single(await Portal.StoredInvitationsAsync(organization)).Accepted);
    }

    private static int RetryAfter(HttpResponseMessage response) =>
        int.Parse(Assert.Single(response.Headers.GetValues("Retry-After")), CultureInfo.InvariantCulture);
}
