using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Platform.E2E.Support;
using static Microsoft.Playwright.Assertions;

namespace Platform.E2E.Billing;

[Collection(PortalInABrowser.Name)]
public sealed partial class BillingTests(E2EPortal portal, BrowserFixture browser) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() => _context = await browser.Browser.NewContextAsync(new() { AcceptDownloads = true });

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task Owner_AddsACard_SeesItMaskedAsTheDefault_AndDownloadsAnInvoicePdf()
    {
        var page = await _context.NewPageAsync();
        var user = new PortalPages(page, portal.ServerAddress);
        await user.SignUpAsync(BrowserUser.New());
        await user.CreateOrganizationAsync($"Billed {Guid.NewGuid():N}"[..20]);
        var organizationId = Guid.Parse(OrganizationInUrl().Match(page.Url).Groups[1].Value);

        await OpenBillingAsync(page, user);
        await page.GetByLabel("Card number").FillAsync("4242 4242 4242 4242");
        await page.GetByLabel("Expiry month").FillAsync("12");
        await page.GetByLabel("Expiry year").FillAsync((DateTime.UtcNow.Year + 3).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByLabel("CVV", new() { Exact = true }).FillAsync("123");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add card" }).ClickAsync();

        var card = page.GetByTestId("card");
        await Expect(card).ToHaveCountAsync(1);
        await Expect(card).ToContainTextAsync("•••• 4242");
        await Expect(card).ToContainTextAsync("Default");
        Assert.DoesNotContain("4242 4242 4242 4242", await page.ContentAsync(), StringComparison.Ordinal);

        await portal.InvoiceLastMonthAsync(organizationId);
        await OpenBillingAsync(page, user);
        var invoice = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Paid" });
        await Expect(invoice).ToHaveCountAsync(1);
        var download = await page.RunAndWaitForDownloadAsync(() => invoice.GetByRole(AriaRole.Button, new() { NameRegex = DownloadButton() }).ClickAsync());

        await using var pdf = await download.CreateReadStreamAsync();
        var start = new byte[4];
        await pdf.ReadExactlyAsync(start);
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(start));
        Assert.EndsWith(".pdf", download.SuggestedFilename, StringComparison.Ordinal);
    }

    private static async Task OpenBillingAsync(IPage page, PortalPages user)
    {
        await page.ReloadAsync();
        await user.WaitUntilInteractiveAsync();
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Organization" }).GetByRole(AriaRole.Link, new() { Name = "Billing" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Cards" })).ToBeVisibleAsync();
    }

    [GeneratedRegex("/organization/([0-9a-f-]{36})")]
    private static partial Regex OrganizationInUrl();

    [GeneratedRegex("^Download invoice .* as PDF$")]
    private static partial Regex DownloadButton();
}
