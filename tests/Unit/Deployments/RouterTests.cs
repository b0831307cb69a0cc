using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Platform.Portal.Runtime;
using Platform.Tests.Support;

namespace Platform.Tests.Deployments;

/// <summary>
/// The router over real HTTP: applications answer on hosts of their own and nowhere else, the portal never answers
/// there, and what crosses the router between a browser and an application.
/// </summary>
public sealed class RouterTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private const string AppNotFound = """{"error": "not found"}""";

    private static readonly string[] PortalPaths = ["/", "/api/user", "/account/signin", "/healthz", "/reference", "/jobs", "/_framework/blazor.web.js", "/hubs/live/negotiate"];

    [Fact]
    public async Task Url_IsTheApplicationsOwnHost_UnderTheAppsDomain_OnThePortalsPort()
    {
        var served = await ServedAsync();

        Assert.Equal($"web-{served.Application.ToString("N")[^8..]}.{RouterAddress.DefaultDomain}", served.Url.Host);
        Assert.Equal((portal.ServerAddress.Scheme, portal.ServerAddress.Port, "/"), (served.Url.Scheme, served.Url.Port, served.Url.AbsolutePath));
        Assert.Equal("v1", (await RuntimeSteps.GetJsonAsync(served.Url)).Version());
    }

    [Fact]
    public async Task Router_NeverHandsThePortalsCredentialsToAnApplication_AndTellsItWhereTheRequestCameFrom()
    {
        var served = await ServedAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(served.Url, "headers"));
        request.Headers.TryAddWithoutValidation("Cookie", "platform.session=PORTAL-SESSION; .AspNetCore.Antiforgery.x=TOKEN; cart=3");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "plt_portal-token");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "portal.example.com");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Prefix", "/apps/web");

        using var response = await RuntimeSteps.Router.SendAsync(request);
        var seen = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

        Assert.Equal("cart=3", seen["cookie"]!.GetValue<string>());
        Assert.False(seen.ContainsKey("authorization"));
        Assert.Equal(served.Url.Authority, seen["x-forwarded-host"]!.GetValue<string>());
        Assert.Equal("http", seen["x-forwarded-proto"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", seen["x-forwarded-for"]!.GetValue<string>());
        Assert.False(seen.ContainsKey("x-forwarded-prefix"));
        AssertNoPortalHeaders(response);
    }

    [Fact]
    public async Task ApplicationHost_SendsThePortalsPathsToTheApplication_NeverToThePortal()
    {
        var served = await ServedAsync();
        var token = served.Team.Owner.DefaultRequestHeaders.Authorization!;

        foreach (var path in PortalPaths.Skip(1))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(served.Url, path));
            request.Headers.Authorization = token;
            using var response = await RuntimeSteps.Router.SendAsync(request);

            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"GET {path} on the application's host answered {(int)response.StatusCode}.");
            Assert.Equal(AppNotFound, await response.Content.ReadAsStringAsync());
            AssertNoPortalHeaders(response);
        }

        using var signIn = await RuntimeSteps.Router.PostAsync(new Uri(served.Url, "account/signin"), new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.NotImplemented, signIn.StatusCode); // Python's server, which has no POST handler.
        AssertNoPortalHeaders(signIn);
    }

    [Theory]
    [InlineData("nosuch-00000000")]
    [InlineData("")]
    [InlineData("evil.web-00000000")]
    public async Task HostUnderTheAppsDomain_OfNoApplication_AnswersAPlain404OnEveryPath(string label)
    {
        foreach (var path in PortalPaths)
        {
            using var response = await RuntimeSteps.Router.GetAsync(new Uri(portal.AppsHost(label), path));

            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"GET {path} on {label}.{RouterAddress.DefaultDomain} answered {(int)response.StatusCode}.");
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("No running application is served at this address.", await response.Content.ReadAsStringAsync());
            AssertNoPortalHeaders(response);
        }
    }

    [Fact]
    public async Task PortalHost_FormerAppsPath_OnlyRedirectsToTheApplicationsHost()
    {
        var served = await ServedAsync();
        var label = served.Url.Host.Split('.')[0];
        using var client = portal.CreateAnonymousClient();

        using var path = await client.GetAsync($"/apps/{label}/headers?x=1");
        using var root = await client.GetAsync($"/apps/{label}");
        using var renamed = await client.GetAsync($"/apps/Old_Name-{label[^8..]}/");
        using var doubled = await client.GetAsync($"/apps/{label}//portal.example.com/");

        Assert.Equal(HttpStatusCode.TemporaryRedirect, path.StatusCode);
        Assert.Equal(new Uri(served.Url, "headers?x=1"), path.Headers.Location);
        Assert.DoesNotContain("x-forwarded", await path.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(served.Url, root.Headers.Location);
        Assert.Equal(new Uri($"http://old-name-{label[^8..]}.{RouterAddress.DefaultDomain}:{served.Url.Port}/"), renamed.Headers.Location);
        Assert.Equal(served.Url.Authority, doubled.Headers.Location!.Authority);
    }

    [Fact]
    public async Task PortalHost_FormerAppsPathOfNoApplication_AnswersNotFound()
    {
        using var client = portal.CreateAnonymousClient();

        using var response = await client.GetAsync("/apps/nosuch-00000000/");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task PortalCookies_AreHostOnly_SoNoOtherHostReceivesThem()
    {
        var user = ApiSessions.NewUser();
        using var client = portal.CreateAnonymousClient(handleCookies: true);
        (await client.RegisterAsync(user)).EnsureSuccessStatusCode();
        using var form = await client.GetAsync("/account/signin");

        using var signedIn = await client.PostSignInFormAsync(user.Email, user.Password);

        var cookies = form.Headers.GetValues("Set-Cookie").Concat(signedIn.Headers.GetValues("Set-Cookie")).ToList();
        Assert.Contains(cookies, c => c.StartsWith("platform.session=", StringComparison.Ordinal));
        Assert.Contains(cookies, c => c.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal));
        Assert.All(cookies, c => Assert.DoesNotContain("domain=", c, StringComparison.OrdinalIgnoreCase));
    }

    private static void AssertNoPortalHeaders(HttpResponseMessage response)
    {
        Assert.False(response.Headers.Contains("X-Frame-Options"), "The portal's framing policy reached an application's host.");
        Assert.False(response.Headers.Contains("Content-Security-Policy"), "The portal added a policy to an application's host.");
        Assert.False(response.Headers.Contains("Set-Cookie"), "The portal set a cookie on an application's host.");
    }

    /// <summary>The sample application, deployed once for the class.</summary>
    private Task<Served> ServedAsync() => portal.SharedAsync(async p =>
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var team = await RuntimeTeam.OfAsync(p);
        var environment = await team.CreateEnvironmentAsync();
        var application = await team.Owner.CreateApplicationAsync(environment, RuntimeSteps.ApplicationBody(repository.Url));
        await team.Owner.DeployOkAsync(application);
        return new Served(team, application, await team.Owner.UrlAsync(application));
    });

    private sealed record Served(RuntimeTeam Team, Guid Application, Uri Url);
}
