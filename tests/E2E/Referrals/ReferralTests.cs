using Microsoft.Playwright;
using Platform.E2E.Support;
using static Microsoft.Playwright.Assertions;

namespace Platform.E2E.Referrals;

[Collection(PortalInABrowser.Name)]
public sealed class ReferralTests(E2EPortal portal, BrowserFixture browser) : IAsyncLifetime
{
    private IBrowserContext _referrerBrowser = null!;
    private IBrowserContext _friendBrowser = null!;

    public async Task InitializeAsync()
    {
        _referrerBrowser = await browser.Browser.NewContextAsync();
        _friendBrowser = await browser.Browser.NewContextAsync();
    }

    public async Task DisposeAsync()
    {
        await _referrerBrowser.DisposeAsync();
        await _friendBrowser.DisposeAsync();
    }

    [Fact]
    public async Task ReferralLink_OpensSignUp_AndCountsTheNewUser()
    {
        var referrer = new PortalPages(await _referrerBrowser.NewPageAsync(), portal.ServerAddress);
        await referrer.SignUpAsync(BrowserUser.New("Rita", "Referrer"));
        await referrer.WaitUntilInteractiveAsync();
        await referrer.Page.GetByRole(AriaRole.Link, new() { Name = "Invite friends" }).ClickAsync();
        var link = await referrer.Page.GetByTestId("referral-link").InnerTextAsync();
        await Expect(referrer.Page.GetByTestId("total-invited")).ToHaveTextAsync("0");

        var friend = await _friendBrowser.NewPageAsync();
        await friend.GotoAsync(link.Trim());
        var fred = BrowserUser.New("Fred", "Friend");
        var friendPages = new PortalPages(friend, portal.ServerAddress);
        await friendPages.FillSignUpAsync(fred);
        await friendPages.SubmitSignInAsync(fred.Email, fred.Password);
        await Expect(friend.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Fred" })).ToBeVisibleAsync();

        await referrer.Page.ReloadAsync();
        await Expect(referrer.Page.GetByTestId("total-invited")).ToHaveTextAsync("1");
    }
}
