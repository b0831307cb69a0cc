using Bunit;
using Platform.Domain.Billing.Credits;
using Platform.Tests.Support;

namespace Platform.Tests.Billing;

/// <summary>The billing page on a real portal: each test's organization is its own, its figures from the real cost aggregation.</summary>
public sealed class BillingPageTests(BillingPortal billing) : IClassFixture<BillingPortal>
{
    [Fact]
    public async Task BillingPage_ShowsTheSeededProjectAndEnvironmentCostInTheTable()
    {
        var team = await billing.CreateTeamAsync();
        var application = await team.CreateApplicationAsync(cpu: 1, memoryMb: 1024, instances: 2);
        await team.RunForAsync(application, TimeSpan.FromHours(10));
        await billing.AggregateAsync(team.OrganizationId);
        await using var context = await OwnerContextAsync(team);

        var page = context.RenderBilling(team.OrganizationId);

        // 2 instances × 10 h × (1 core × 0.0012 + 1 GB × 0.0004 cents a second) = 115.2 cents, billed 1.15.
        await page.WaitForAssertionAsync(() =>
        {
            var project = page.Find("[data-testid='cost-project']");
            Assert.Equal(["shop", "20 h 0 min", "1.15 EUR"], project.Children.Select(c => c.TextContent.Trim()));
            var environment = Assert.Single(page.FindAll("[data-testid='cost-environment']"));
            Assert.Equal(["shop / production", "20 h 0 min", "1.15 EUR"], environment.Children.Select(c => c.TextContent.Trim()));
        }, BillingPageContext.Wait);
        Assert.Contains("1.15 EUR", page.Find("[data-testid='cost-table-total']").TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(page.FindAll("[data-testid='cost-breakdown'] svg"));
    }

    [Fact]
    public async Task BillingPage_ForADeveloper_ShowsNotFoundAndNoFigure()
    {
        var team = await billing.CreateTeamAsync();
        var developer = await billing.Portal.AddMemberAsync(team.Owner, team.OrganizationId, "DEVELOPER");
        await using var context = BillingPageContext.Create(billing, developer.User.Email, developer.UserId);

        var page = context.RenderBilling(team.OrganizationId);

        await page.WaitForAssertionAsync(() => Assert.Contains("This page was not found", page.Markup, StringComparison.Ordinal), BillingPageContext.Wait);
        Assert.Empty(page.FindAll("[data-testid='cost-breakdown']"));
        Assert.Empty(page.FindAll("[data-testid='cards']"));
    }

    [Fact]
    public async Task BillingInfo_WithAVatNumberNotOfItsCountry_MarksTheVatField()
    {
        await using var open = await OpenAsOwnerAsync(ready: "VAT number");
        var page = open.Page;

        await page.TypeAsync("Billing email", "billing@example.com");
        await page.TypeAsync("Country code", "DE");
        await page.TypeAsync("VAT number", "FR40303265045");
        await page.ClickAsync("Save billing info");

        await page.WaitForAssertionAsync(() => Assert.StartsWith("This is not a VAT number of DE", page.ErrorOf("VAT number"), StringComparison.Ordinal), BillingPageContext.Wait);
        Assert.Null(page.ErrorOf("Billing email"));
        Assert.Null(page.ErrorOf("Country code"));
    }

    [Fact]
    public async Task AddCard_WithANumberFailingLuhn_MarksTheNumberField_AndKeepsNoNumber()
    {
        await using var open = await OpenAsOwnerAsync(ready: "Card number");
        var page = open.Page;

        await FillCardAsync(page, "4242 4242 4242 4241");
        await page.ClickAsync("Add card");

        await page.WaitForAssertionAsync(() => Assert.Equal("The card number is not valid.", page.ErrorOf("Card number")), BillingPageContext.Wait);
        Assert.Null(page.ErrorOf("Expiry year"));
        Assert.DoesNotContain("4242 4242 4242 4241", page.Markup, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid='card']"));
    }

    [Fact]
    public async Task AddCard_Valid_ShowsItMaskedAsTheDefault_AndClearsTheNumberAndCvv()
    {
        await using var open = await OpenAsOwnerAsync(ready: "Card number");
        var page = open.Page;

        await FillCardAsync(page, InvoiceSteps.Visa);
        await page.ClickAsync("Add card");

        await page.WaitForAssertionAsync(() =>
        {
            var card = Assert.Single(page.FindAll("[data-testid='card']"));
            Assert.Equal("•••• 4242", card.QuerySelector("[data-testid='card-number']")!.TextContent.Trim());
            Assert.Equal("Visa", card.QuerySelector("[data-testid='card-brand']")!.TextContent.Trim());
            Assert.NotNull(card.QuerySelector("[data-testid='card-default']"));
        }, BillingPageContext.Wait);
        Assert.DoesNotContain("4242 4242 4242 4242", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("value=\"737\"", page.Markup, StringComparison.Ordinal); // "737" alone turns up in random ids
        Assert.Equal("", page.Field("Card number").GetAttribute("value") ?? "");
        Assert.Equal("", page.Field("CVV").GetAttribute("value") ?? "");
    }

    [Fact]
    public async Task RedeemCode_AddsItsCreditToTheRemainingCredit_AndASecondTimeMarksTheCodeField()
    {
        await using var open = await OpenAsOwnerAsync(ready: "Credit code");
        var page = open.Page;
        Assert.Equal("Remaining credit: 0.00 EUR", RemainingCredit(page));

        await page.TypeAsync("Credit code", CreditCode.Demo);
        await page.ClickAsync("Redeem");
        await page.WaitForAssertionAsync(() => Assert.Equal("Remaining credit: 50.00 EUR", RemainingCredit(page)), BillingPageContext.Wait);
        Assert.Null(page.ErrorOf("Credit code"));

        await page.TypeAsync("Credit code", CreditCode.Demo);
        await page.ClickAsync("Redeem");

        await page.WaitForAssertionAsync(() => Assert.Equal("This organization already redeemed this credit code.", page.ErrorOf("Credit code")), BillingPageContext.Wait);
        Assert.Equal("Remaining credit: 50.00 EUR", RemainingCredit(page));
    }

    private static string RemainingCredit(IRenderedComponent<Portal.Billing.BillingPage> page) =>
        page.Find("[data-testid='remaining-credit']").TextContent.Trim();

    private static async Task FillCardAsync(IRenderedComponent<Portal.Billing.BillingPage> page, string number)
    {
        await page.TypeAsync("Card number", number);
        await page.TypeAsync("Expiry month", "12");
        await page.TypeAsync("Expiry year", (BillingPortal.Start.Year + 3).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.TypeAsync("CVV", "737");
    }

    private async Task<BunitContext> OwnerContextAsync(BillingTeam team) =>
        BillingPageContext.Create(billing, team.OwnerUser.Email, await team.Owner.GetUserIdAsync());

    /// <summary>A new organization's billing page, as its owner, once the given field is shown.</summary>
    private async Task<OpenPage> OpenAsOwnerAsync(string ready)
    {
        var team = await billing.CreateTeamAsync();
        var context = await OwnerContextAsync(team);
        var page = context.RenderBilling(team.OrganizationId);
        await page.WaitForAssertionAsync(() => page.Field(ready), BillingPageContext.Wait);
        return new OpenPage(context, page);
    }

    private sealed record OpenPage(BunitContext Context, IRenderedComponent<Portal.Billing.BillingPage> Page) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Context.DisposeAsync();
    }
}
