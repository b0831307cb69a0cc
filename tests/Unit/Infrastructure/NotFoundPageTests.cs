using System.Net;
using Platform.Tests.Support;

namespace Platform.Tests.Infrastructure;

/// <summary>Unknown addresses and ids that are missing or belong to another organization: status 404 and the portal's page, in its layout.</summary>
public sealed class NotFoundPageTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task UnknownAddress_ForASignedInUser_Answers404WithThePortalsNotFoundPage()
    {
        var (_, user) = await portal.CreateUserClientAsync();
        var browser = await portal.SignedInClientAsync(user);

        var response = await browser.GetAsync("/no-such-page/at-all");

        await AssertPortalNotFoundAsync(response);
    }

    [Fact]
    public async Task ApplicationOfAnotherOrganization_Answers404WithThePortalsNotFoundPage()
    {
        var theirs = await Catalogue.CreateAsync(portal, "theirs");
        var (_, stranger) = await portal.CreateUserClientAsync();
        var browser = await portal.SignedInClientAsync(stranger);

        var response = await browser.GetAsync($"/application/{theirs.ApplicationId}");

        await AssertPortalNotFoundAsync(response);
    }

    [Fact]
    public async Task ApplicationOfTheUsersOrganization_Answers200WithItsPage()
    {
        var mine = await Catalogue.CreateAsync(portal, "mine");
        var browser = await portal.SignedInClientAsync(mine.OwnerUser);

        var response = await browser.GetAsync($"/application/{mine.ApplicationId}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("This page does not exist", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DEVELOPER")]
    [InlineData("VIEWER")]
    public async Task ProjectSettings_ForARoleThatCannotManageProjects_Answers404(string role)
    {
        var catalogue = await Catalogue.CreateAsync(portal, $"settings-{role.ToLowerInvariant()}");
        var member = await portal.AddMemberAsync(catalogue.Owner, catalogue.OrganizationId, role);
        var browser = await portal.SignedInClientAsync(member.User);

        var response = await browser.GetAsync($"/project/{catalogue.ProjectId}?tab=settings");

        await AssertPortalNotFoundAsync(response);
    }

    [Fact]
    public async Task ProjectSettings_ForTheOwner_ShowRenameAndDelete()
    {
        var catalogue = await Catalogue.CreateAsync(portal, "settings-owner");
        var browser = await portal.SignedInClientAsync(catalogue.OwnerUser);

        var response = await browser.GetAsync($"/project/{catalogue.ProjectId}?tab=settings");
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Delete project", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProjectSettingsAddress_LeadsToTheProjectPagesSettingsTab()
    {
        var catalogue = await Catalogue.CreateAsync(portal, "settings-address");
        var browser = await portal.SignedInClientAsync(catalogue.OwnerUser);

        var response = await browser.GetAsync($"/project/{catalogue.ProjectId}/settings");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.EndsWith($"/project/{catalogue.ProjectId}?tab=settings", response.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    private static async Task AssertPortalNotFoundAsync(HttpResponseMessage response)
    {
        var page = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("This page does not exist", page, StringComparison.Ordinal);
        Assert.Contains("organization-switcher", page, StringComparison.Ordinal); // in the portal's layout, not a bare page
    }
}
