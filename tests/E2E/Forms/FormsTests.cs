using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Platform.Domain.Common;
using Platform.E2E.Support;
using Platform.Tests.Deployments;
using Platform.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Platform.E2E.Forms;

/// <summary>Issue 16, points 5 and 7: forms mark their fields, numbers and secrets, copy buttons and toasts.</summary>
[Collection(PortalInABrowser.Name)]
public sealed class FormsTests(E2EPortal portal, BrowserFixture browser) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() => _context = await browser.Browser.NewContextAsync(new()
    {
        // The copy buttons write to the clipboard, and the test reads it back.
        Permissions = ["clipboard-read", "clipboard-write"],
    });

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task NewProject_WithATakenName_MarksTheNameField_WithoutAToast_AndCancelClosesTheDialog()
    {
        var catalogue = await portal.CreateCatalogueAsync();
        var page = await OpenAsync(catalogue, $"/organization/{catalogue.OrganizationId}");

        await page.GetByRole(AriaRole.Button, new() { Name = "New project" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Name").FillAsync("shop");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();

        await Expect(Field(dialog, "Name")).ToContainTextAsync("A project named \"shop\" already exists");
        await Expect(dialog.GetByLabel("Name")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(dialog.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        await Expect(Toasts(page)).ToHaveCountAsync(0);

        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
    }

    [Fact]
    public async Task NewEnvironment_NameBreakingTheRule_IsRefusedOnTheField_BeforeAnythingIsSent()
    {
        var catalogue = await portal.CreateCatalogueAsync();
        var page = await OpenAsync(catalogue, $"/project/{catalogue.ProjectId}");

        await page.GetByRole(AriaRole.Button, new() { Name = "New environment" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("Name").FillAsync("Staging Env!");
        await dialog.GetByLabel("Name").BlurAsync();

        await Expect(Field(dialog, "Name")).ToContainTextAsync(Names.Rule);
        await Expect(dialog.GetByLabel("Name")).ToHaveAttributeAsync("aria-invalid", "true");

        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create environment" }).ClickAsync();
        await Expect(dialog).ToBeVisibleAsync();
        Assert.DoesNotContain("Staging Env!", await catalogue.Owner.GetStringAsync($"/api/project/{catalogue.ProjectId}/environment"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplicationForm_PortTypedAsText_ShowsAFieldError_AndTheFormDoesNotSend()
    {
        var catalogue = await portal.CreateCatalogueAsync();
        var page = await OpenAsync(catalogue, $"/environment/{catalogue.EnvironmentId}/application/new");

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("frontend");
        await page.GetByLabel("Git repository").FillAsync("/srv/git/frontend.git");
        await page.GetByLabel("Start command").FillAsync("npm start");
        await page.GetByLabel("Port", new() { Exact = true }).FillAsync("abc");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create application" }).ClickAsync();

        await Expect(Field(page.Locator("body"), "Port")).ToContainTextAsync("Enter a whole number, in digits.");
        await Expect(page.GetByLabel("Port", new() { Exact = true })).ToHaveValueAsync("abc");
        await Expect(page).ToHaveURLAsync(new Regex("/application/new$"));
        Assert.DoesNotContain("frontend", await catalogue.Owner.GetStringAsync($"/api/environment/{catalogue.EnvironmentId}/application"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretValue_IsMaskedAsTyped_AndTheShowToggleRevealsIt()
    {
        var catalogue = await portal.CreateCatalogueAsync();
        var page = await OpenAsync(catalogue, $"/application/{catalogue.ApplicationId}?tab=variables");

        await page.GetByRole(AriaRole.Button, new() { Name = "Add secret" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        var value = dialog.GetByLabel("Value", new() { Exact = true });
        await value.FillAsync("s3cret-value");

        await Expect(value).ToHaveAttributeAsync("type", "password");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Show Value" }).ClickAsync();
        await Expect(value).ToHaveAttributeAsync("type", "text");
        await Expect(value).ToHaveValueAsync("s3cret-value");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Hide Value" }).ClickAsync();
        await Expect(value).ToHaveAttributeAsync("type", "password");
    }

    [Fact]
    public async Task CopyButtonBesideAnId_PutsTheIdOnTheClipboard()
    {
        var catalogue = await portal.CreateCatalogueAsync();
        var page = await OpenAsync(catalogue, $"/environment/{catalogue.EnvironmentId}");

        await page.GetByRole(AriaRole.Button, new() { Name = "Copy the environment id" }).ClickAsync();

        await Expect(Toasts(page).Filter(new() { HasText = "Copied to the clipboard." })).ToBeVisibleAsync();
        Assert.Equal(catalogue.EnvironmentId.ToString(), await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
    }

    [Fact]
    public async Task QueuedDeploysToast_IsReplacedByItsOutcome_SitsClearOfTheActions_AndGoesAwayInSeconds()
    {
        var catalogue = await portal.CreateCatalogueAsync();
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("toast-v1"), "First version");
        var application = await RunningApplications.CreateAsync(catalogue, repository);
        var page = await OpenAsync(catalogue, $"/application/{application}");
        var actions = page.Locator("h1").Locator("xpath=..").GetByRole(AriaRole.Button);

        await page.GetByRole(AriaRole.Button, new() { Name = "Deploy", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Deploy" }).ClickAsync();
        var queued = Toasts(page).Filter(new() { HasText = "Deploy queued." });
        await Expect(queued).ToBeVisibleAsync();
        await AssertClearOfAsync(queued, actions);
        await page.Mouse.MoveAsync(640, 5); // A toast under the pointer waits; the pointer stays away from the corner.

        var deployed = Toasts(page).Filter(new() { HasText = "Deployed hello." });
        await Expect(deployed).ToBeVisibleAsync(new() { Timeout = 90_000 });
        await Expect(queued).ToHaveCountAsync(0);
        await AssertClearOfAsync(deployed, actions);
        await Expect(deployed).ToHaveCountAsync(0, new() { Timeout = 8_000 });
    }

    private async Task<IPage> OpenAsync(Catalogue catalogue, string path)
    {
        var page = await _context.NewPageAsync();
        var user = new PortalPages(page, portal.ServerAddress);
        await user.SignInAsync(catalogue.OwnerUser.Email, catalogue.OwnerUser.Password);
        await user.WaitUntilInteractiveAsync();
        await page.GotoAsync(portal.Url(path).ToString());
        await user.WaitUntilInteractiveAsync();
        return page;
    }

    /// <summary>The toasts on screen (MudBlazor's snackbars).</summary>
    private static ILocator Toasts(IPage page) => page.Locator(".mud-snackbar");

    /// <summary>A field's whole control: its input, label and helper or error text.</summary>
    private static ILocator Field(ILocator scope, string label) =>
        scope.Locator(".mud-input-control").Filter(new() { Has = scope.Page.GetByLabel(label, new() { Exact = true }) });

    /// <summary>The toast overlaps none of the buttons beside the page's heading (Deploy, Restart, Stop…).</summary>
    private static async Task AssertClearOfAsync(ILocator toast, ILocator actions)
    {
        var box = (await toast.BoundingBoxAsync())!;
        var buttons = await actions.AllAsync();
        Assert.NotEmpty(buttons);
        foreach (var button in buttons)
        {
            var other = (await button.BoundingBoxAsync())!;
            var overlaps = box.X < other.X + other.Width && other.X < box.X + box.Width
                && box.Y < other.Y + other.Height && other.Y < box.Y + box.Height;
            Assert.False(overlaps, $"The toast at ({box.X}, {box.Y}, {box.Width}×{box.Height}) covers the button \"{await button.TextContentAsync()}\" at ({other.X}, {other.Y}).");
        }
    }
}
