using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Platform.E2E.Support;
using static Microsoft.Playwright.Assertions;

namespace Platform.E2E.Users;

/// <summary>Issue 16 point 8 in the browser: a password reset and an email confirmation, each by a link in a mail the test's SMTP server caught.</summary>
[Collection(PortalInABrowser.Name)]
public sealed partial class AccountRecoveryTests(E2EPortal portal, BrowserFixture browser) : IAsyncLifetime
{
    private static readonly TimeSpan MailWait = TimeSpan.FromSeconds(30);

    private IBrowserContext _context = null!;
    private PortalPages _pages = null!;

    public async Task InitializeAsync()
    {
        _context = await browser.Browser.NewContextAsync();
        _pages = new PortalPages(await _context.NewPageAsync(), portal.ServerAddress);
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task ForgotPassword_ResetThroughTheMailedLink_ThenSignInWithTheNewPassword()
    {
        var user = BrowserUser.New("Forgetful", "Fred");
        await _pages.SignUpAsync(user);
        await _pages.WaitUntilInteractiveAsync();
        await _pages.SignOutAsync();
        var page = _pages.Page;

        await page.GetByRole(AriaRole.Link, new() { Name = "Forgot your password?" }).ClickAsync();
        // The link is an enhanced navigation: until the new page is patched in, "Email" is still the sign-in form's field.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Forgot your password?" })).ToBeVisibleAsync();
        await page.GetByLabel("Email").FillAsync(user.Email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Email me a link" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"We emailed {user.Email}");
        var mail = await portal.Mail.WaitForMessageToAsync(user.Email, MailWait, "Set a new Platform password");
        Assert.Contains("works for 1 hour", mail.TextBody, StringComparison.Ordinal);

        await page.GotoAsync(ResetLink().Match(mail.TextBody ?? "").Value);
        await page.GetByLabel("New password").FillAsync("a renewed browser passphrase");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set password" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Your new password is set.");
        await _pages.SubmitSignInAsync(user.Email, "a renewed browser passphrase");
        await _pages.WaitUntilInteractiveAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Welcome, {user.FirstName}" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task SignUp_MailsAConfirmationLink_ThatConfirms_AndTheBannerGoes()
    {
        var user = BrowserUser.New("Carla", "Confirm");
        await _pages.SignUpAsync(user);
        await _pages.WaitUntilInteractiveAsync();
        var page = _pages.Page;
        var banner = page.GetByRole(AriaRole.Region, new() { Name = "Email confirmation" });
        await Expect(banner).ToContainTextAsync("Confirm your email.");

        var mail = await portal.Mail.WaitForMessageToAsync(user.Email, MailWait, "Confirm your email address");
        await page.GotoAsync(ConfirmLink().Match(mail.TextBody ?? "").Value);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your email is confirmed" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Open the portal" }).ClickAsync();
        await _pages.WaitUntilInteractiveAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Welcome, {user.FirstName}" })).ToBeVisibleAsync();
        await Expect(banner).ToHaveCountAsync(0);
    }

    [GeneratedRegex(@"https?://\S+/account/reset\?user=[0-9a-f-]{36}&token=[A-Za-z0-9_%-]+")]
    private static partial Regex ResetLink();

    [GeneratedRegex(@"https?://\S+/account/confirm\?user=[0-9a-f-]{36}&token=[A-Za-z0-9_%-]+")]
    private static partial Regex ConfirmLink();
}
