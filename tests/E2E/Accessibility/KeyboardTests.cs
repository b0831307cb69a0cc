using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Platform.E2E.Support;
using Platform.Tests.Deployments;
using Platform.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Platform.E2E.Accessibility;

/// <summary>The application page without a mouse: Tab reaches every action and the tabs, Enter and Space act.</summary>
[Collection(PortalInABrowser.Name)]
public sealed class KeyboardTests(E2EPortal portal, BrowserFixture browser) : IAsyncLifetime
{
    private const string FocusedElement =
        """
        () => {
          const e = document.activeElement;
          if (!e || e === document.body) return 'the page';
          const role = e.getAttribute('role');
          const name = (e.getAttribute('aria-label') || e.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
          return `${e.tagName.toLowerCase()}${role ? `[role=${role}]` : ''} "${name}"`;
        }
        """;

    private IBrowserContext _context = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        _context = await browser.Browser.NewContextAsync();
        _page = await _context.NewPageAsync();
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task ApplicationPage_EveryActionAndTab_IsReachedWithTab_AndActsOnEnterOrSpace()
    {
        var catalogue = await portal.CreateCatalogueAsync();
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("keyboard-v1"));
        var application = await RunningApplications.DeployAsync(catalogue, repository);
        var user = new PortalPages(_page, portal.ServerAddress);
        await user.SignInAsync(catalogue.OwnerUser.Email, catalogue.OwnerUser.Password);
        await _page.WaitForURLAsync(url => !url.Contains("/account/signin", StringComparison.Ordinal));
        await _page.GotoAsync(portal.Url($"/application/{application}").ToString());
        await user.WaitUntilInteractiveAsync();
        var restart = Button("Restart");
        await Expect(restart).ToBeEnabledAsync();

        // In the page's order: the actions, then the tab list (one stop; arrows move between tabs, as WAI-ARIA's tabs pattern says).
        await TabToAsync(_page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^(Re)?deploy$", RegexOptions.IgnoreCase) }));
        await TabToAsync(Button("Deploy a commit…"));
        await TabToAsync(restart);
        await TabToAsync(Button("Stop"));
        await TabToAsync(Tab("Deployments"));
        await _page.Keyboard.PressAsync("ArrowRight");
        await Expect(Tab("Metrics")).ToBeFocusedAsync();
        await _page.Keyboard.PressAsync("ArrowRight");
        await Expect(Tab("Logs")).ToBeFocusedAsync();
        await _page.Keyboard.PressAsync("Enter");
        await Expect(Tab("Logs")).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(_page.GetByTestId("log-panel")).ToBeVisibleAsync();

        // Back to Restart; its confirmation takes the focus, and Space on its button restarts.
        await TabToAsync(restart, "Shift+Tab");
        await _page.Keyboard.PressAsync("Enter");
        var dialog = _page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToBeVisibleAsync();
        await EventuallyAsync(() => dialog.EvaluateAsync<bool>("d => d.contains(document.activeElement)"), "the confirmation to take the focus");
        await TabToAsync(dialog.GetByRole(AriaRole.Button, new() { Name = "Restart" }));
        await _page.Keyboard.PressAsync(" ");
        await Expect(dialog).ToBeHiddenAsync();
        await EventuallyAsync(async () => (await catalogue.Owner.GetResultsAsync($"/api/application/{application}/deployment")).Count == 2, "a restart to be queued");
    }

    [Fact]
    public async Task Shell_OrganizationSwitcherAndAccountMenu_AreReachedWithTab_AndSignOutWorksWithEnter()
    {
        var catalogue = await portal.CreateCatalogueAsync();
        var user = new PortalPages(_page, portal.ServerAddress);
        await user.SignInAsync(catalogue.OwnerUser.Email, catalogue.OwnerUser.Password);
        await _page.WaitForURLAsync(url => !url.Contains("/account/signin", StringComparison.Ordinal));
        await _page.GotoAsync(portal.Url($"/organization/{catalogue.OrganizationId}").ToString());
        await user.WaitUntilInteractiveAsync();

        await TabToAsync(_page.GetByRole(AriaRole.Button, new() { Name = "Toggle navigation" }), "Shift+Tab");
        await TabToAsync(_page.GetByRole(AriaRole.Button, new() { Name = "acme, switch organization" }));
        await _page.Keyboard.PressAsync("Enter");
        await Expect(_page.GetByRole(AriaRole.Menuitem, new() { Name = "acme" })).ToBeFocusedAsync();
        await _page.Keyboard.PressAsync("Escape");
        await Expect(_page.GetByRole(AriaRole.Menuitem, new() { Name = "New organization" })).ToBeHiddenAsync();
        await TabToAsync(Button("Account"));
        await _page.Keyboard.PressAsync("Enter");
        await Expect(_page.GetByRole(AriaRole.Menuitem, new() { Name = "Sign out" })).ToBeFocusedAsync();
        await _page.Keyboard.PressAsync("Enter");

        await Expect(_page).ToHaveURLAsync(new Regex("/account/signin"));
    }

    private ILocator Button(string name) => _page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    private ILocator Tab(string name) => _page.GetByRole(AriaRole.Tab, new() { Name = name, Exact = true });

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        for (var deadline = DateTimeOffset.UtcNow.AddSeconds(15); DateTimeOffset.UtcNow < deadline; await Task.Delay(100))
        {
            if (await condition())
            {
                return;
            }
        }

        Assert.Fail($"Waited 15 s for {what}.");
    }

    /// <summary>Presses Tab (or Shift+Tab) until the element has the focus; fails with where the focus went otherwise.</summary>
    private async Task TabToAsync(ILocator target, string key = "Tab", int most = 60)
    {
        var visited = new List<string>();
        for (var i = 0; i < most; i++)
        {
            await _page.Keyboard.PressAsync(key);
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement"))
            {
                return;
            }

            visited.Add(await _page.EvaluateAsync<string>(FocusedElement));
        }

        Assert.Fail($"{target} was not reached after {most} presses of {key}; the focus went: {string.Join(" → ", visited)}");
    }
}
