using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Platform.E2E.Support;
using Platform.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Platform.E2E.Navigation;

[Collection(PortalInABrowser.Name)]
public sealed class NavigationTests(E2EPortal portal, BrowserFixture browser) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() => _context = await browser.Browser.NewContextAsync();

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task ApplicationTab_SurvivesAReload_AndBackReturnsToThePreviousTab()
    {
        var catalogue = await portal.CreateCatalogueAsync();
        var (page, user) = await SignInAsync(catalogue);
        await page.GotoAsync(portal.Url($"/application/{catalogue.ApplicationId}").ToString());
        await user.WaitUntilInteractiveAsync();

        await Tab(page, "Logs").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("[?&]tab=logs"));
        await page.ReloadAsync();
        await user.WaitUntilInteractiveAsync();
        await Expect(Tab(page, "Logs")).ToHaveClassAsync(new Regex("mud-tab-active"));

        await Tab(page, "Settings").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("[?&]tab=settings"));
        await page.GoBackAsync();

        await Expect(page).ToHaveURLAsync(new Regex($"/application/{catalogue.ApplicationId}\\?tab=logs$"));
        await Expect(Tab(page, "Logs")).ToHaveClassAsync(new Regex("mud-tab-active"));
        await Expect(Tab(page, "Settings")).Not.ToHaveClassAsync(new Regex("mud-tab-active"));
    }

    [Fact]
    public async Task UnknownAddress_ShowsThePortalsNotFoundPage_WithStatus404()
    {
        var catalogue = await portal.CreateCatalogueAsync();
        var (page, _) = await SignInAsync(catalogue);

        var response = await page.GotoAsync(portal.Url("/no/such/page").ToString());

        Assert.Equal((int)HttpStatusCode.NotFound, response!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This page does not exist" })).ToBeVisibleAsync();
        await Expect(Switcher(page)).ToBeVisibleAsync();
    }

    [Fact]
    public async Task OrganizationSwitcher_OnAFreshlyLoadedPageOfNoOrganization_KeepsTheLastOrganization()
    {
        var catalogue = await portal.CreateCatalogueAsync();
        var (page, user) = await SignInAsync(catalogue);
        await page.GotoAsync(portal.Url($"/environment/{catalogue.EnvironmentId}").ToString());
        await user.WaitUntilInteractiveAsync();
        await Expect(Switcher(page)).ToHaveTextAsync(new Regex("acme"));

        await page.GotoAsync(portal.Url("/referral").ToString());
        await user.WaitUntilInteractiveAsync();

        await Expect(Switcher(page)).ToHaveTextAsync(new Regex("acme"));
    }

    [Fact]
    public async Task Project_IsRenamedInItsSettings_AndDeletedOnlyOnceItsNameIsTyped()
    {
        var catalogue = await portal.CreateCatalogueAsync();
        var (page, user) = await SignInAsync(catalogue);
        await page.GotoAsync(portal.Url($"/project/{catalogue.ProjectId}").ToString());
        await user.WaitUntilInteractiveAsync();

        await Tab(page, "Settings").ClickAsync();
        await page.GetByLabel("Name").FillAsync("storefront");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "storefront", Exact = true })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete project" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        var confirm = dialog.GetByRole(AriaRole.Button, new() { Name = "Delete project" });
        await Expect(confirm).ToBeDisabledAsync();
        await dialog.GetByLabel("Type \"storefront\" to confirm").FillAsync("storefront");
        await confirm.ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex($"/organization/{catalogue.OrganizationId}$"));
        Assert.Equal(HttpStatusCode.NotFound, (await catalogue.Owner.GetAsync($"/api/project/{catalogue.ProjectId}")).StatusCode);
    }

    private async Task<(IPage Page, PortalPages User)> SignInAsync(Catalogue catalogue)
    {
        var page = await _context.NewPageAsync();
        var user = new PortalPages(page, portal.ServerAddress);
        await user.SignInAsync(catalogue.OwnerUser.Email, catalogue.OwnerUser.Password);
        await user.WaitUntilInteractiveAsync();
        return (page, user);
    }

    private static ILocator Switcher(IPage page) => page.Locator(".organization-switcher button").First;

    private static ILocator Tab(IPage page, string name) => page.GetByRole(AriaRole.Tab, new() { Name = name, Exact = true });
}
