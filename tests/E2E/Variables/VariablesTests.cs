using Microsoft.Playwright;
using Platform.E2E.Support;
using static Microsoft.Playwright.Assertions;

namespace Platform.E2E.Variables;

[Collection(PortalInABrowser.Name)]
public sealed class VariablesTests(E2EPortal portal, BrowserFixture browser) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() => _context = await browser.Browser.NewContextAsync();

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task ApplicationVariable_OverridesTheOrganizations_AndSecretsStayMasked()
    {
        var catalogue = await portal.CreateCatalogueAsync();
        var page = await _context.NewPageAsync();
        var user = new PortalPages(page, portal.ServerAddress);
        await user.SignInAsync(catalogue.OwnerUser.Email, catalogue.OwnerUser.Password);
        await user.WaitUntilInteractiveAsync();

        await page.GotoAsync(portal.Url($"/organization/{catalogue.OrganizationId}/variables").ToString());
        await user.WaitUntilInteractiveAsync();
        await AddAsync(page, "Add variable", "GREETING", "hello from the organization");
        await Expect(Row(page, "GREETING")).ToContainTextAsync("Organization");

        await page.GotoAsync(portal.Url($"/application/{catalogue.ApplicationId}").ToString());
        await user.WaitUntilInteractiveAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Variables" }).ClickAsync();
        await AddAsync(page, "Add variable", "GREETING", "hello from the application");
        await AddAsync(page, "Add secret", "API_KEY", "browser-secret-marker");

        var greeting = Row(page, "GREETING");
        await Expect(greeting).ToContainTextAsync("hello from the application");
        await Expect(greeting).ToContainTextAsync("Application");
        await Expect(greeting).ToContainTextAsync("Organization");
        await Expect(Row(page, "API_KEY")).ToContainTextAsync("••••••••");
        await Expect(Row(page, "PORT")).ToContainTextAsync("Built-in");
        Assert.DoesNotContain("browser-secret-marker", await page.ContentAsync(), StringComparison.Ordinal);
    }

    private static async Task AddAsync(IPage page, string button, string key, string value)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Key").FillAsync(key);
        await dialog.GetByLabel("Value", new() { Exact = true }).FillAsync(value);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
    }

    private static ILocator Row(IPage page, string key) =>
        page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByText(key, new() { Exact = true }) });
}
