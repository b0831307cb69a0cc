using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Platform.E2E.Support;
using static Microsoft.Playwright.Assertions;

namespace Platform.E2E.Environments;

[Collection(PortalInABrowser.Name)]
public sealed class CatalogueTests(E2EPortal portal, BrowserFixture browser) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() => _context = await browser.Browser.NewContextAsync();

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task ProjectEnvironmentAndApplication_CreatedInTheBrowser_AreCopiedByClone()
    {
        var page = await _context.NewPageAsync();
        var user = new PortalPages(page, portal.ServerAddress);
        await user.SignUpAsync(BrowserUser.New());
        await user.CreateOrganizationAsync("Catalogue Co");

        await page.GetByRole(AriaRole.Button, new() { Name = "New project" }).ClickAsync();
        var projectDialog = page.GetByRole(AriaRole.Dialog);
        await projectDialog.GetByLabel("Name").FillAsync("shop");
        await projectDialog.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "shop" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "New environment" }).ClickAsync();
        var environmentDialog = page.GetByRole(AriaRole.Dialog);
        await environmentDialog.GetByLabel("Name").FillAsync("staging");
        await environmentDialog.GetByRole(AriaRole.Button, new() { Name = "Create environment" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "staging" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "New application" }).ClickAsync();
        await page.GetByLabel("Name").FillAsync("web");
        await page.GetByLabel("Git repository").FillAsync("/srv/git/web.git");
        await page.GetByLabel("Start command").FillAsync("npm start");
        await page.GetByLabel("Memory (MB)").FillAsync("8");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create application" }).ClickAsync();
        await Expect(page.GetByText("Memory is in MB, from 16 to 65536.")).ToBeVisibleAsync();
        await page.GetByLabel("Memory (MB)").FillAsync("256");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create application" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "web" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "shop" }).ClickAsync();
        var stagingRow = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "staging" });
        await stagingRow.GetByRole(AriaRole.Button, new() { Name = "Clone" }).ClickAsync();
        var cloneDialog = page.GetByRole(AriaRole.Dialog);
        await cloneDialog.GetByLabel("Name").FillAsync("preview-42");
        await cloneDialog.GetByRole(AriaRole.Button, new() { Name = "Clone environment" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "preview-42" })).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/environment/"));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "web" })).ToBeVisibleAsync();
    }
}
