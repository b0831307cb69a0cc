using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;
using Platform.E2E.Support;
using static Microsoft.Playwright.Assertions;

namespace Platform.E2E.Addons;

[Collection(PortalInABrowser.Name)]
public sealed class AddonsTests(E2EPortal portal, BrowserFixture browser) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() => _context = await browser.Browser.NewContextAsync();

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task AnOwnerInstallsTheWebhook_SendsATestNotification_AndSeesItDeliveredInTheLog()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var catalogue = await portal.CreateCatalogueAsync();
        var page = await _context.NewPageAsync();
        var user = new PortalPages(page, portal.ServerAddress);
        await user.SignInAsync(catalogue.OwnerUser.Email, catalogue.OwnerUser.Password);
        await user.WaitUntilInteractiveAsync();

        await page.GotoAsync(portal.Url($"/project/{catalogue.ProjectId}").ToString());
        await user.WaitUntilInteractiveAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Addons" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Addons", Level = 1 })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Install Webhook" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel(new Regex("^(webhook )?url", RegexOptions.IgnoreCase)).FillAsync(receiver.Url.ToString());
        await dialog.GetByLabel(new Regex("^signing secret", RegexOptions.IgnoreCase)).FillAsync("an end-to-end signing secret");
        await Expect(dialog.GetByText("staging: notified")).ToBeVisibleAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Install", Exact = true }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Send a test notification to Webhook" }).ClickAsync();

        await Expect(page.GetByText(new Regex("test notification to Webhook was queued"))).ToBeVisibleAsync();
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Webhook" });
        await Expect(row.Filter(new() { HasText = "Delivered" })).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(row).ToContainTextAsync("Test");
        var request = Assert.Single(receiver.Requests);
        Assert.StartsWith("t=", request, StringComparison.Ordinal);
        Assert.DoesNotContain("an end-to-end signing secret", await page.ContentAsync(), StringComparison.Ordinal);
    }

    /// <summary>A receiver on loopback that answers 204 to every POST and keeps each one's signature header.</summary>
    private sealed class WebhookReceiver : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private WebhookReceiver(WebApplication app, Uri url)
        {
            _app = app;
            Url = url;
        }

        public Uri Url { get; }

        public ConcurrentQueue<string> Requests { get; } = new();

        public static async Task<WebhookReceiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            WebhookReceiver? receiver = null;
            app.MapPost("/hook", (HttpRequest request) =>
            {
                receiver!.Requests.Enqueue(request.Headers["X-Platform-Signature"].ToString());
                return Results.NoContent();
            });
            await app.StartAsync();
            receiver = new WebhookReceiver(app, new Uri(new Uri(app.Urls.First()), "/hook"));
            return receiver;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
