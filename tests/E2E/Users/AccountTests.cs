using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Platform.E2E.Support;
using static Microsoft.Playwright.Assertions;

namespace Platform.E2E.Users;

[Collection(PortalInABrowser.Name)]
public sealed class AccountTests(E2EPortal portal, BrowserFixture browser) : IAsyncLifetime
{
    private IBrowserContext _context = null!;
    private PortalPages _pages = null!;

    public async Task InitializeAsync()
    {
        _context = await browser.Browser.NewContextAsync();
        _pages = new PortalPages(await _context.NewPageAsync(), portal.ServerAddress);
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task SignUp_ThenSignIn_InTheBrowser_LandsOnTheDashboard()
    {
        var user = BrowserUser.New("Grace", "Hopper");

        await _pages.Page.GotoAsync(new Uri(portal.ServerAddress, "/account/signup").ToString());
        await _pages.FillSignUpAsync(user);
        await Expect(_pages.Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Now sign in with the address and password you chose.");
        await _pages.SubmitSignInAsync(user.Email, user.Password);
        await _pages.WaitUntilInteractiveAsync();

        await Expect(_pages.Page).ToHaveURLAsync(new Uri(portal.ServerAddress, "/").ToString());
        await Expect(_pages.Page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Grace" })).ToBeVisibleAsync();
        await Expect(_pages.Page.GetByRole(AriaRole.Cell, new() { Name = user.Email })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Dashboard_WhenSignedOut_SendsToSignInAndBack()
    {
        var user = BrowserUser.New();
        await _pages.SignUpAsync(user);
        await _pages.WaitUntilInteractiveAsync();
        await _pages.SignOutAsync();

        await _pages.Page.GotoAsync(new Uri(portal.ServerAddress, "/").ToString());
        await Expect(_pages.Page).ToHaveURLAsync(new Regex("/account/signin\\?returnUrl=%2F$"));
        await _pages.SignInAsync(user.Email, user.Password);
        await _pages.WaitUntilInteractiveAsync();

        await Expect(_pages.Page.GetByRole(AriaRole.Heading, new() { Name = $"Welcome, {user.FirstName}" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task SignIn_WithAWrongPassword_ShowsWhyAndStaysOnTheForm()
    {
        var user = BrowserUser.New();
        await _pages.SignUpAsync(user);
        await _pages.WaitUntilInteractiveAsync();
        await _pages.SignOutAsync();

        await _pages.SignInAsync(user.Email, "not my password at all");

        await Expect(_pages.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Invalid email or password.");
        await Expect(_pages.Page).ToHaveURLAsync(new Regex("/account/signin"));
    }
}
