using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Platform.Domain.Logs;
using Platform.E2E.Support;
using static Microsoft.Playwright.Assertions;

namespace Platform.E2E.Logs;

/// <summary>The logs tab opened from a link with filters, and its download for those filters, in a real browser.</summary>
[Collection(PortalInABrowser.Name)]
public sealed class LogsTabTests(E2EPortal portal, BrowserFixture browser) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() => _context = await browser.Browser.NewContextAsync(new() { AcceptDownloads = true });

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task ALinkWithStreamStderr_ShowsOnlyStderrLines_AndTheDownloadHoldsJustThose()
    {
        var catalogue = await portal.CreateCatalogueAsync();
        var start = DateTimeOffset.UtcNow;
        var sink = portal.Portal.Services.GetRequiredService<ILogSink>();
        sink.Write(new LogEntry(catalogue.ApplicationId, null, "web-1", LogStream.Stdout, "GET /health 200", start));
        sink.Write(new LogEntry(catalogue.ApplicationId, null, "web-1", LogStream.Stderr, "TypeError: cart is undefined", start.AddMilliseconds(1)));
        sink.Write(new LogEntry(catalogue.ApplicationId, null, "web-1", LogStream.Stdout, "GET /cart 500", start.AddMilliseconds(2)));
        var page = await _context.NewPageAsync();
        var user = new PortalPages(page, portal.ServerAddress);
        await user.SignInAsync(catalogue.OwnerUser.Email, catalogue.OwnerUser.Password);

        await page.GotoAsync(portal.Url($"/application/{catalogue.ApplicationId}?tab=logs&stream=stderr").ToString());
        await user.WaitUntilInteractiveAsync();
        var logs = page.GetByTestId("log-panel");
        if (!await logs.IsVisibleAsync())
        {
            // Until the tab is read from the address (another change of the same issue), the tab is opened by hand.
            await page.GetByRole(AriaRole.Tab, new() { Name = "Logs" }).ClickAsync();
        }

        await Expect(logs).ToContainTextAsync("TypeError: cart is undefined");
        await Expect(logs.Locator(".log-line")).ToHaveCountAsync(1);
        Assert.Contains("stream=stderr", page.Url, StringComparison.Ordinal);

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("log-download").ClickAsync());
        var path = await download.PathAsync();
        var text = await File.ReadAllTextAsync(path);
        Assert.EndsWith(" web-1 stderr TypeError: cart is undefined\n", text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
