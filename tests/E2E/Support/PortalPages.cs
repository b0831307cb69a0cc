using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Platform.E2E.Support;

public sealed record BrowserUser(string FirstName, string LastName, string Email, string Password)
{
    public static BrowserUser New(string firstName = "Ada", string lastName = "Lovelace") =>
        new(firstName, lastName, $"{firstName.ToLowerInvariant()}.{Guid.NewGuid():N}@example.com", "a long browser passphrase");
}

/// <summary>The portal's screens, as a user's steps.</summary>
public sealed class PortalPages(IPage page, Uri baseAddress)
{
    public IPage Page => page;

    /// <summary>Signs up, then signs in on the page sign-up leads to (signing up never opens a session by itself).</summary>
    public async Task SignUpAsync(BrowserUser user)
    {
        await page.GotoAsync(new Uri(baseAddress, "/account/signup").ToString());
        await FillSignUpAsync(user);
        await SubmitSignInAsync(user.Email, user.Password);
    }

    /// <summary>On the sign-up form: fills it in and creates the account, which leads to the sign-in form.</summary>
    public async Task FillSignUpAsync(BrowserUser user)
    {
        await page.GetByLabel("First name").FillAsync(user.FirstName);
        await page.GetByLabel("Last name").FillAsync(user.LastName);
        await page.GetByLabel("Email").FillAsync(user.Email);
        await page.GetByLabel("Password").FillAsync(user.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/account/signin\\?signedUp=true"));
    }

    public async Task SignInAsync(string email, string password)
    {
        await page.GotoAsync(new Uri(baseAddress, "/account/signin").ToString());
        await SubmitSignInAsync(email, password);
    }

    /// <summary>On the sign-in form: fills it in and signs in.</summary>
    public async Task SubmitSignInAsync(string email, string password)
    {
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>Clicks sent before the Blazor circuit connects are lost: wait for the layout's mark.</summary>
    public async Task WaitUntilInteractiveAsync() =>
        await Expect(page.Locator("[data-interactive=true]")).ToBeVisibleAsync();

    /// <summary>From the dashboard: creates an organization and lands on its page.</summary>
    public async Task CreateOrganizationAsync(string name)
    {
        await page.GotoAsync(new Uri(baseAddress, "/").ToString());
        await WaitUntilInteractiveAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "New organization" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Name").FillAsync(name);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create organization" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = name })).ToBeVisibleAsync();
    }

    /// <summary>On an organization's page: opens Members and invites someone with the default role.</summary>
    public async Task InviteMemberAsync(string email)
    {
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Organization" }).GetByRole(AriaRole.Link, new() { Name = "Members" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Invite member" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Email").FillAsync(email);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Send invitation" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = email, Exact = true })).ToBeVisibleAsync();
    }

    public async Task SignOutAsync()
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Account" }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Sign out" }).ClickAsync();
        // The menu item posts the sign-out form: wait for its redirect, or the next navigation would abort it.
        await Expect(page).ToHaveURLAsync(new Regex("/account/signin$"));
    }
}
