using Bunit;
using Platform.Domain.Organizations;
using Platform.Portal.Organizations;
using Platform.Tests.Support;

namespace Platform.Tests.Components;

/// <summary>The shell's organization switcher against a real portal: the user's organizations, from the real OrganizationService.</summary>
public sealed class OrganizationSwitcherTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task TheSwitcher_LinksEachOrganizationOfTheUser_AndChecksTheCurrentOne()
    {
        var (client, user) = await portal.CreateUserClientAsync();
        var first = await client.CreateOrganizationAsync("Acme");
        var second = await client.CreateOrganizationAsync("Globex");
        await using var context = portal.CreateComponentContext(user.Email, await client.GetUserIdAsync()).WithHostService<OrganizationService>();

        var switcher = context.Render<OrganizationSwitcher>(p => p.Add(s => s.LastOrganization, second));

        await switcher.WaitForAssertionAsync(() => Assert.Equal(2, switcher.FindAll("a[role=menuitem]").Count), Wait);
        var links = switcher.FindAll("a[role=menuitem]").ToDictionary(a => a.TextContent.Trim(), a => a);
        Assert.Equal($"/organization/{first}", links["Acme"].GetAttribute("href"));
        Assert.Equal($"/organization/{second}", links["Globex"].GetAttribute("href"));
        Assert.Null(links["Acme"].QuerySelector("svg"));
        Assert.NotNull(links["Globex"].QuerySelector("svg"));
        Assert.Equal("Globex, switch organization", switcher.Find("button[data-menu-button]").GetAttribute("aria-label"));
    }

    [Theory]
    [InlineData("<img src=x onerror=alert(1)> & \"Acme\"")]
    [InlineData("</span></a><a href=\"//evil.example\"><img src=x>")]
    [InlineData("Société 中文 😀")]
    public async Task AnOrganizationNamedInMarkup_ShowsItsNameAsText(string name)
    {
        var (client, user) = await portal.CreateUserClientAsync();
        var id = await client.CreateOrganizationAsync(name);
        await using var context = portal.CreateComponentContext(user.Email, await client.GetUserIdAsync()).WithHostService<OrganizationService>();

        var switcher = context.Render<OrganizationSwitcher>(p => p.Add(s => s.LastOrganization, id));

        await switcher.WaitForAssertionAsync(() => Assert.Single(switcher.FindAll("a[role=menuitem]")), Wait);
        Assert.Equal(name, switcher.Find("a[role=menuitem]").TextContent.Trim());
        Assert.Empty(switcher.FindAll("img"));
        Assert.DoesNotContain(switcher.FindAll("a"), a => a.GetAttribute("href")?.Contains("evil", StringComparison.Ordinal) == true);
    }
}
