using System.Net;
using Platform.Portal.Organizations;
using Platform.Tests.Support;

namespace Platform.Tests.Organizations;

/// <summary>
/// The switcher's cookie (<c>platform-organization</c>) is the browser's to write, so anyone can put any value in it:
/// another organization's id names nothing of it, and a value that is no id is ignored, never a failure.
/// </summary>
public sealed class OrganizationCookieTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Cookie_WithTheUsersOwnOrganization_NamesItOnAPageOfNoOrganization()
    {
        var (owner, user) = await portal.CreateUserClientAsync();
        var mine = await owner.CreateOrganizationAsync("Cookie own org");
        var (browser, jar) = await SignedInAsync(user);
        Remember(jar, mine.ToString());

        var page = await browser.GetAsync("/referral");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Cookie own org", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cookie_WithAnotherOrganizationsId_ShowsNothingOfThatOrganization()
    {
        var (stranger, _) = await portal.CreateUserClientAsync();
        var theirs = await stranger.CreateOrganizationAsync("Cookie their secret org");
        var (_, user) = await portal.CreateUserClientAsync();
        var (browser, jar) = await SignedInAsync(user);
        Remember(jar, theirs.ToString());

        var page = await browser.GetAsync("/referral");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.DoesNotContain("Cookie their secret org", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-an-id")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("%7B%22x%22%3A1%7D")]
    public async Task Cookie_WithAValueThatIsNoOrganization_IsIgnored(string value)
    {
        var (_, user) = await portal.CreateUserClientAsync();
        var (browser, jar) = await SignedInAsync(user);
        Remember(jar, value + new string('9', 2000));

        var page = await browser.GetAsync("/referral");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    private async Task<(HttpClient Browser, CookieContainer Jar)> SignedInAsync(TestUser user)
    {
        var jar = new CookieContainer();
        var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = jar })
        {
            BaseAddress = portal.ServerAddress,
        };
        Assert.Equal(HttpStatusCode.Redirect, (await browser.PostSignInFormAsync(user.Email, user.Password)).StatusCode);
        return (browser, jar);
    }

    private void Remember(CookieContainer jar, string value) =>
        jar.Add(portal.ServerAddress, new Cookie(OrganizationContext.CookieName, value, "/"));
}
