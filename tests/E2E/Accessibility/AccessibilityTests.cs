using Microsoft.Playwright;
using Platform.E2E.Support;
using Platform.Tests.Deployments;
using Platform.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Platform.E2E.Accessibility;

/// <summary>axe-core's WCAG 2.1 A/AA rules on the portal's main screens: none may report a serious or critical violation.</summary>
[Collection(PortalInABrowser.Name)]
public sealed class AccessibilityTests(E2EPortal portal, BrowserFixture browser) : IAsyncLifetime
{
    private IBrowserContext _context = null!;
    private PortalPages _user = null!;

    private IPage Page => _user.Page;

    public async Task InitializeAsync()
    {
        _context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ColorScheme = ColorScheme.Light });
        _user = new PortalPages(await _context.NewPageAsync(), portal.ServerAddress);
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task SignInPage_HasNoSeriousViolation()
    {
        await Page.GotoAsync(portal.Url("/account/signin").ToString());
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" })).ToBeVisibleAsync();

        await Axe.AssertNoSeriousViolationsAsync(Page, "The sign-in page");
    }

    [Fact]
    public async Task Dashboard_HasNoSeriousViolation()
    {
        await SignedInCatalogueAsync("/");

        await Axe.AssertNoSeriousViolationsAsync(Page, "The dashboard");
    }

    [Fact]
    public async Task Dashboard_InDarkMode_HasNoSeriousViolation()
    {
        await SignedInCatalogueAsync("/");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Switch to dark mode" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Switch to light mode" })).ToBeVisibleAsync();
        await Page.Mouse.MoveAsync(0, 0); // off the toggle, whose tooltip would otherwise be fading in

        await Axe.AssertNoSeriousViolationsAsync(Page, "The dashboard in dark mode");
    }

    [Fact]
    public async Task EnvironmentPage_HasNoSeriousViolation()
    {
        var catalogue = await portal.CreateCatalogueAsync();
        await OpenAsync(catalogue, $"/environment/{catalogue.EnvironmentId}");
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "staging" })).ToBeVisibleAsync();

        await Axe.AssertNoSeriousViolationsAsync(Page, "The environment page");
    }

    [Fact]
    public async Task ApplicationPage_OfARunningApplication_HasNoSeriousViolation()
    {
        var catalogue = await portal.CreateCatalogueAsync();
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("a11y-v1"));
        var application = await RunningApplications.DeployAsync(catalogue, repository);
        await OpenAsync(catalogue, $"/application/{application}");
        await Expect(Page.GetByTestId("application-url")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("deployment").First).ToBeVisibleAsync();

        await Axe.AssertNoSeriousViolationsAsync(Page, "The application page");
    }

    [Fact]
    public async Task ApplicationLogsTab_WithLinesOfAFailedBuild_HasNoSeriousViolation()
    {
        // The catalogue's application points at a repository that does not exist: its build fails with explained lines.
        var catalogue = await portal.CreateCatalogueAsync();
        await catalogue.Owner.DeployAsync(catalogue.ApplicationId);
        await RunningApplications.WaitForStateAsync(catalogue.Owner, catalogue.ApplicationId, state => state.EndsWith("ERROR", StringComparison.Ordinal));
        await OpenAsync(catalogue, $"/application/{catalogue.ApplicationId}");
        await Page.GetByRole(AriaRole.Tab, new() { Name = "Logs" }).ClickAsync();
        await Expect(Page.GetByTestId("log-panel")).ToBeVisibleAsync();

        await Axe.AssertNoSeriousViolationsAsync(Page, "The application's logs tab");
    }

    [Fact]
    public async Task ApplicationLogsTab_WithMoreLinesThanItsBoxShows_HasNoSeriousViolation()
    {
        var catalogue = await portal.CreateCatalogueAsync();
        using var repository = await TestGitRepository.CreateAsync(RunningApplications.NoisyFiles("a11y-noisy", 80));
        var application = await RunningApplications.DeployAsync(catalogue, repository, "python3 noisy.py");
        await OpenAsync(catalogue, $"/application/{application}");
        await Page.GetByRole(AriaRole.Tab, new() { Name = "Logs" }).ClickAsync();
        await Expect(Page.GetByTestId("log-panel")).ToContainTextAsync("line 80 of 80");

        await Axe.AssertNoSeriousViolationsAsync(Page, "The application's logs tab, scrolling");
    }

    [Fact]
    public async Task MembersPage_WithAMemberAndAPendingInvitation_HasNoSeriousViolation()
    {
        var catalogue = await portal.CreateCatalogueAsync();
        await portal.Portal.AddMemberAsync(catalogue.Owner, catalogue.OrganizationId, "DEVELOPER");
        await catalogue.Owner.InviteAsync(catalogue.OrganizationId, $"invited.{Guid.NewGuid():N}@example.com", "VIEWER");
        await OpenAsync(catalogue, $"/organization/{catalogue.OrganizationId}/members");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Invite member" })).ToBeVisibleAsync();

        await Axe.AssertNoSeriousViolationsAsync(Page, "The members page");
    }

    private async Task SignedInCatalogueAsync(string path) => await OpenAsync(await portal.CreateCatalogueAsync(), path);

    private async Task OpenAsync(Catalogue catalogue, string path)
    {
        await _user.SignInAsync(catalogue.OwnerUser.Email, catalogue.OwnerUser.Password);
        await Page.WaitForURLAsync(url => !url.Contains("/account/signin", StringComparison.Ordinal));
        await Page.GotoAsync(portal.Url(path).ToString());
        await _user.WaitUntilInteractiveAsync();
    }
}
