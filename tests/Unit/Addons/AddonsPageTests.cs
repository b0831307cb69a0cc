using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Platform.Domain.Access;
using Platform.Domain.Addons;
using Platform.Domain.Common;
using Platform.Domain.Live;
using Platform.Domain.Organizations;
using Platform.Domain.Projects;
using Platform.Portal.Addons;
using Platform.Portal.Organizations;
using Platform.Tests.Support;

namespace Platform.Tests.Addons;

/// <summary>
/// The project's Addons page rendered against a real portal: the catalogue, the validation and the regex tester are
/// the real AddonService on PostgreSQL, and the delivery log hears the host's LiveBus; nothing is fed to the page by hand.
/// </summary>
public sealed class AddonsPageTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private const string RegexField = "matching_environments_regex";

    [Fact]
    public async Task ThePage_ShowsACardForEachAddonOfTheCatalogue_NoneInstalled()
    {
        var team = await PageTeam.CreateAsync(portal);
        await using var context = CreateContext(team.Email, team.UserId);

        var page = RenderPage(context, team.ProjectId);

        await page.WaitForAssertionAsync(() => Assert.Equal(["Slack", "Webhook", "Email"], Cards(page).Select(c => c.GetAttribute("data-addon")!)), Wait);
        Assert.All(Cards(page), card => Assert.Equal("Not installed", card.QuerySelector("[data-testid='addon-state']")!.TextContent.Trim()));
        Assert.NotNull(page.Find("button[aria-label='Install Webhook']"));
    }

    [Fact]
    public async Task ADeveloper_SeesTheCatalogueReadOnly_WithoutInstallOrSettingsButtons()
    {
        var team = await PageTeam.CreateAsync(portal);
        var developer = await portal.AddMemberAsync(team.Owner, team.OrganizationId, "DEVELOPER");
        await using var context = CreateContext(developer.User.Email, developer.UserId);

        var page = RenderPage(context, team.ProjectId);

        await page.WaitForAssertionAsync(() => Assert.Equal(3, Cards(page).Count), Wait);
        Assert.Empty(page.FindAll("[data-testid='addon'] button"));
        Assert.Contains("Only an owner or an admin installs and configures addons.", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InstallingTheWebhook_WithABadUrl_MarksTheUrlField()
    {
        var team = await PageTeam.CreateAsync(portal);
        await using var open = await OpenDialog.OfAsync(this, team, "Install Webhook");
        var (page, dialogs) = (open.Page, open.Dialogs);

        Field(dialogs, AddonSettingNames.WebhookUrl).Change("not a url");
        Field(dialogs, AddonSettingNames.SigningSecret).Change("a signing secret of some length");
        await ClickAsync(dialogs, "Install");

        await dialogs.WaitForAssertionAsync(() => Assert.NotNull(ErrorOf(dialogs, AddonSettingNames.WebhookUrl)), Wait);
        Assert.Null(ErrorOf(dialogs, AddonSettingNames.SigningSecret));
        Assert.Equal("Not installed", Card(page, "Webhook").QuerySelector("[data-testid='addon-state']")!.TextContent.Trim());
    }

    [Fact]
    public async Task InstallingTheWebhook_WithACatastrophicRegex_MarksTheRegexField()
    {
        var team = await PageTeam.CreateAsync(portal);
        await using var open = await OpenDialog.OfAsync(this, team, "Install Webhook");
        var (page, dialogs) = (open.Page, open.Dialogs);

        Field(dialogs, AddonSettingNames.WebhookUrl).Change("http://127.0.0.1:9/hook");
        Field(dialogs, AddonSettingNames.SigningSecret).Change("a signing secret of some length");
        Field(dialogs, RegexField).Input("(a+)+$");
        await ClickAsync(dialogs, "Install");

        await dialogs.WaitForAssertionAsync(() => Assert.Contains("backtracks", ErrorOf(dialogs, RegexField) ?? "", StringComparison.Ordinal), Wait);
        Assert.Null(ErrorOf(dialogs, AddonSettingNames.WebhookUrl));
    }

    [Fact]
    public async Task TheRegexTester_SaysWhichOfTheProjectsEnvironmentsTheRegexSelects()
    {
        var team = await PageTeam.CreateAsync(portal);
        await using var open = await OpenDialog.OfAsync(this, team, "Install Slack");
        var (page, dialogs) = (open.Page, open.Dialogs);
        await dialogs.WaitForAssertionAsync(() => Assert.Equal(["true", "true"], Matches(dialogs).Values), Wait);

        Field(dialogs, RegexField).Input("^prod");

        await dialogs.WaitForAssertionAsync(() => Assert.Equal(
            new Dictionary<string, string> { ["production"] = "true", ["staging"] = "false" }, Matches(dialogs)), Wait);
        Assert.Contains("1 of 2 selected", dialogs.Find("[data-testid='environment-matches']").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterInstall_TheSecretSettingsAreNotInTheMarkup_NorInTheConfigureDialog()
    {
        const string urlToken = "url-token-marker-3b1f";
        const string signingSecret = "signing-secret-marker-9c2d";
        var team = await PageTeam.CreateAsync(portal);
        await using var open = await OpenDialog.OfAsync(this, team, "Install Webhook");
        var (page, dialogs) = (open.Page, open.Dialogs);

        Field(dialogs, AddonSettingNames.WebhookUrl).Change($"http://127.0.0.1:9/hooks/{urlToken}");
        Field(dialogs, AddonSettingNames.SigningSecret).Change(signingSecret);
        await ClickAsync(dialogs, "Install");
        await page.WaitForAssertionAsync(() => Assert.Equal("Installed", Card(page, "Webhook").QuerySelector("[data-testid='addon-state']")!.TextContent.Trim()), Wait);
        await OpenAsync(page, dialogs, "Configure Webhook");

        Assert.Contains("http://127.0.0.1:9/", page.Markup, StringComparison.Ordinal);
        Assert.Equal("", Field(dialogs, AddonSettingNames.WebhookUrl).GetAttribute("value") ?? "");
        Assert.Equal("", Field(dialogs, AddonSettingNames.SigningSecret).GetAttribute("value") ?? "");
        Assert.Contains("Leave it blank to keep the stored value", dialogs.Markup, StringComparison.Ordinal);
        foreach (var markup in new[] { page.Markup, dialogs.Markup })
        {
            Assert.DoesNotContain(urlToken, markup, StringComparison.Ordinal);
            Assert.DoesNotContain(signingSecret, markup, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TheDeliveryLog_ShowsARowAddedAfterItOpened_WhenItsChangeIsPublished()
    {
        var team = await PageTeam.CreateAsync(portal);
        await InstallWebhookAsync(team);
        await using var context = CreateContext(team.Email, team.UserId);
        var page = RenderPage(context, team.ProjectId);
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("[data-testid='deliveries-empty']")), Wait);

        var delivery = await AddDeliveryAsync(team, AddonDeliveryStatus.Delivered, httpStatus: 204, durationMs: 42);
        portal.Services.GetRequiredService<LiveBus>().Publish(new AddonDeliveryChanged(team.OrganizationId, team.ProjectId, delivery));

        await page.WaitForAssertionAsync(() =>
        {
            var row = Assert.Single(page.FindAll("[data-testid='deliveries'] tbody tr"));
            var cells = row.QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList();
            Assert.Equal(["Webhook", "Test", "Delivered", "1", "HTTP 204", "42 ms"], cells.Skip(1));
        }, Wait);
    }

    private static IRenderedComponent<AddonsPage> RenderPage(BunitContext context, Guid projectId) =>
        context.Render<AddonsPage>(p => p.Add(v => v.Id, projectId));

    private static IReadOnlyList<IElement> Cards(IRenderedComponent<AddonsPage> page) => page.FindAll("[data-testid='addon']");

    private static IElement Card(IRenderedComponent<AddonsPage> page, string name) => page.Find($"[data-testid='addon'][data-addon='{name}']");

    private static async Task OpenAsync(IRenderedComponent<AddonsPage> page, IRenderedComponent<MudDialogProvider> dialogs, string button)
    {
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find($"button[aria-label='{button}']")), Wait);
        // The page's handler waits for the dialog to close: the click is not awaited, the dialog is.
        _ = page.Find($"button[aria-label='{button}']").ClickAsync(new MouseEventArgs());
        await dialogs.WaitForAssertionAsync(() => Assert.NotNull(dialogs.Find($"[data-setting='{RegexField}']")), Wait);
    }

    /// <summary>Finds and clicks in one go on the renderer: the regex tester re-renders the dialog when it answers.</summary>
    private static async Task ClickAsync(IRenderedComponent<MudDialogProvider> dialogs, string text) =>
        await dialogs.InvokeAsync(() => dialogs.FindAll(".mud-dialog-actions button").Single(b => b.TextContent.Trim() == text).ClickAsync(new MouseEventArgs()));

    /// <summary>The input of a setting (or of the regex), found by the name the service gives its errors.</summary>
    private static IElement Field(IRenderedComponent<MudDialogProvider> dialogs, string name) =>
        dialogs.Find($"input[data-setting='{name}']");

    /// <summary>The error text MudBlazor shows under the field, or null when the field is not marked.</summary>
    private static string? ErrorOf(IRenderedComponent<MudDialogProvider> dialogs, string name) =>
        Field(dialogs, name).Closest(".mud-input-control")?.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent.Trim() is { Length: > 0 } text ? text : null;

    private static Dictionary<string, string> Matches(IRenderedComponent<MudDialogProvider> dialogs) =>
        dialogs.FindAll("[data-testid='environment-match']").ToDictionary(m => m.GetAttribute("data-environment")!, m => m.GetAttribute("data-matches")!);

    private async Task InstallWebhookAsync(PageTeam team)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var installed = await scope.ServiceProvider.GetRequiredService<AddonService>().InstallAsync(new Caller(team.UserId), team.ProjectId, "webhook",
            new AddonRequest(null, new Dictionary<string, string?>
            {
                [AddonSettingNames.WebhookUrl] = "http://127.0.0.1:9/hook",
                [AddonSettingNames.SigningSecret] = "a signing secret of some length",
            }));
        Assert.True(installed.IsSuccess, installed.Error?.Message);
    }

    private async Task<Guid> AddDeliveryAsync(PageTeam team, AddonDeliveryStatus status, int? httpStatus, int? durationMs)
    {
        var now = DateTimeOffset.UtcNow;
        var delivery = new AddonDelivery
        {
            OrganizationId = team.OrganizationId,
            ProjectId = team.ProjectId,
            Kind = AddonKind.Webhook,
            Event = AddonEvents.Test,
            Payload = "{}",
            Status = status,
            Attempts = 1,
            HttpStatus = httpStatus,
            DurationMs = durationMs,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContextAsync();
        db.AddonDeliveries.Add(delivery);
        await db.SaveChangesAsync();
        return delivery.Id;
    }

    /// <summary>The page as the portal renders it for this user, on the host's own services.</summary>
    private BunitContext CreateContext(string email, Guid userId)
    {
        var context = portal.CreateComponentContext(email, userId)
            .WithHostService<OrganizationService>().WithHostService<ProjectService>().WithHostService<AddonService>();
        context.Services.AddScoped<OrganizationContext>();
        return context;
    }

    /// <summary>The page, signed in as the team's owner, with the install or configure dialog the button opens.</summary>
    private sealed class OpenDialog(BunitContext context, IRenderedComponent<AddonsPage> page, IRenderedComponent<MudDialogProvider> dialogs) : IAsyncDisposable
    {
        public IRenderedComponent<AddonsPage> Page => page;

        public IRenderedComponent<MudDialogProvider> Dialogs => dialogs;

        public static async Task<OpenDialog> OfAsync(AddonsPageTests tests, PageTeam team, string button)
        {
            var context = tests.CreateContext(team.Email, team.UserId);
            var dialogs = context.Render<MudDialogProvider>();
            var page = RenderPage(context, team.ProjectId);
            await OpenAsync(page, dialogs, button);
            return new OpenDialog(context, page, dialogs);
        }

        public ValueTask DisposeAsync() => context.DisposeAsync();
    }

    /// <summary>An owner with an organization and a project of two environments, staging and production; one per test.</summary>
    private sealed record PageTeam(HttpClient Owner, string Email, Guid UserId, Guid OrganizationId, Guid ProjectId)
    {
        public static async Task<PageTeam> CreateAsync(PortalFactory portal)
        {
            var (client, user) = await portal.CreateUserClientAsync();
            var userId = await client.GetUserIdAsync();
            var organization = await client.PostForIdAsync("/api/organization", new { name = $"addons-{CatalogueSteps.Unique()}" });
            var project = await client.PostForIdAsync($"/api/organization/{organization}/project", new { name = "shop" });
            await client.PostForIdAsync($"/api/project/{project}/environment", new { name = "staging", mode = "STAGING" });
            await client.PostForIdAsync($"/api/project/{project}/environment", new { name = "production", mode = "PRODUCTION" });
            return new PageTeam(client, user.Email, userId, organization, project);
        }
    }
}
