using Microsoft.Playwright;
using Platform.E2E.Support;
using static Microsoft.Playwright.Assertions;

namespace Platform.E2E.Shell;

[Collection(PortalInABrowser.Name)]
public sealed class ThemeTests(E2EPortal portal, BrowserFixture browser) : IAsyncLifetime
{
    private IBrowserContext _context = null!;
    private PortalPages _pages = null!;

    public async Task InitializeAsync()
    {
        _context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ColorScheme = ColorScheme.Light });
        _pages = new PortalPages(await _context.NewPageAsync(), portal.ServerAddress);
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task DarkMode_ChosenOnce_IsKeptAfterAReload()
    {
        await _pages.SignUpAsync(BrowserUser.New());
        await _pages.WaitUntilInteractiveAsync();

        await _pages.Page.GetByRole(AriaRole.Button, new() { Name = "Switch to dark mode" }).ClickAsync();
        await Expect(_pages.Page.GetByRole(AriaRole.Button, new() { Name = "Switch to light mode" })).ToBeVisibleAsync();
        await _pages.Page.ReloadAsync();
        await _pages.WaitUntilInteractiveAsync();

        await Expect(_pages.Page.GetByRole(AriaRole.Button, new() { Name = "Switch to light mode" })).ToBeVisibleAsync();
    }
}
