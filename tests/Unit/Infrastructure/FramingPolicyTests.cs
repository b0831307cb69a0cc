using System.Net;
using Platform.Portal.Infrastructure;
using Platform.Tests.Support;

namespace Platform.Tests.Infrastructure;

/// <summary>No other origin (an application's among them) may show a portal page in a frame.</summary>
public sealed class FramingPolicyTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Theory]
    [InlineData("/account/signin", HttpStatusCode.OK)]
    [InlineData("/api/user", HttpStatusCode.Unauthorized)]
    [InlineData("/healthz", HttpStatusCode.OK)]
    [InlineData("/no-such-page", HttpStatusCode.NotFound)]
    public async Task PortalAnswers_MayBeFramedByThePortalOnly(string path, HttpStatusCode status)
    {
        using var client = portal.CreateAnonymousClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(FramingPolicy.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy"));
        Assert.Equal("SAMEORIGIN", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
    }

    [Theory]
    [InlineData("/account/signin")]
    [InlineData("/api/user")]
    [InlineData("/no-such-page")]
    public async Task PortalAnswers_SayNosniff_AndSendOnlyTheOriginToOtherSites(string path)
    {
        using var client = portal.CreateAnonymousClient();

        using var response = await client.GetAsync(path);

        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal(FramingPolicy.ReferrerPolicy, Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    [Fact]
    public async Task ResetPage_KeepsItsOwnNoReferrerPolicy()
    {
        using var client = portal.CreateAnonymousClient();

        using var response = await client.GetAsync("/account/reset?user=x&token=y");

        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }
}
