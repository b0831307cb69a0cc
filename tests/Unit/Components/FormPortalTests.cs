using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Platform.Domain.Applications;
using Platform.Domain.Deployments;
using Platform.Domain.Environments;
using Platform.Domain.Projects;
using Platform.Portal.Applications;
using Platform.Portal.Deployments;
using Platform.Portal.Projects;
using Platform.Tests.Support;

namespace Platform.Tests.Components;

/// <summary>Forms against a real portal: a name taken marks its field, create pages have Cancel, a queued toast gives way to the outcome.</summary>
public sealed class FormPortalTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task CreateProjectDialog_WithANameTaken_MarksTheNameField_AndShowsNoWarning()
    {
        var team = await TeamAsync();
        await using var context = portal.CreateComponentContext(team.Email, team.UserId).WithHostService<ProjectService>();
        var dialogs = context.Render<MudDialogProvider>();
        var service = context.Services.GetRequiredService<IDialogService>();
        await dialogs.InvokeAsync(() => service.ShowAsync<CreateProjectDialog>("New project",
            new DialogParameters<CreateProjectDialog> { { d => d.OrganizationId, team.OrganizationId } }));

        await dialogs.InvokeAsync(() => dialogs.Find("input").Change("shop"));
        await dialogs.InvokeAsync(() => dialogs.FindAll(".mud-dialog-actions button").Single(b => b.TextContent.Trim() == "Create project").ClickAsync(new MouseEventArgs()));

        await dialogs.WaitForAssertionAsync(() =>
        {
            var error = dialogs.Find("input").Closest(".mud-input-control")?.QuerySelector(".mud-input-helper-text.mud-input-error");
            Assert.Contains("A project named \"shop\" already exists", error?.TextContent, StringComparison.Ordinal);
        }, Wait);
        Assert.Empty(dialogs.FindAll(".mud-alert"));
    }

    [Fact]
    public async Task NewApplicationPage_HasCancel_ThatGoesBackToTheEnvironment()
    {
        var team = await TeamAsync();
        await using var context = portal.CreateComponentContext(team.Email, team.UserId)
            .WithHostService<EnvironmentService>().WithHostService<ApplicationService>()
            .WithHostService<ProjectService>().WithHostService<Platform.Domain.Organizations.OrganizationService>();
        context.Render<MudPopoverProvider>();

        var page = context.Render<NewApplicationPage>(p => p.Add(v => v.EnvironmentId, team.EnvironmentId));
        await page.WaitForAssertionAsync(() => Assert.Contains(page.FindAll("button"), b => b.TextContent.Trim() == "Cancel"), Wait);
        await page.InvokeAsync(() => page.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").ClickAsync(new MouseEventArgs()));

        Assert.EndsWith($"/environment/{team.EnvironmentId}", context.Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeployActions_Stop_ToastSaysQueued_ThenIsReplacedByTheOutcome_WithALinkToTheLogs()
    {
        var team = await TeamAsync();
        var application = await team.Owner.PostForIdAsync($"/api/environment/{team.EnvironmentId}/application",
            new { name = $"web-{CatalogueSteps.Unique()}", git_repository = new { url = "/srv/git/web.git" }, start_command = "npm start", port = 3000 });
        await using var context = portal.CreateComponentContext(team.Email, team.UserId).WithHostService<DeploymentService>();
        var dialogs = context.Render<MudDialogProvider>();
        var toasts = context.Render<MudSnackbarProvider>();
        var actions = context.Render<DeployActions>(p => p
            .Add(v => v.EnvironmentId, team.EnvironmentId).Add(v => v.ApplicationId, application).Add(v => v.Name, "web").Add(v => v.Deployed, true));

        _ = actions.InvokeAsync(() => actions.FindAll("button").Single(b => b.TextContent.Trim() == "Stop").ClickAsync(new MouseEventArgs()));
        await dialogs.WaitForAssertionAsync(() => Assert.Contains(dialogs.FindAll("button"), b => b.TextContent.Trim() == "Stop"), Wait);
        _ = dialogs.InvokeAsync(() => dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Stop").ClickAsync(new MouseEventArgs()));

        await toasts.WaitForAssertionAsync(() =>
        {
            Assert.Contains("Stopped web.", toasts.Markup, StringComparison.Ordinal);
            Assert.DoesNotContain("Stop queued.", toasts.Markup, StringComparison.Ordinal);
            Assert.Contains(toasts.FindAll("button"), b => b.TextContent.Trim() == "See the logs");
        }, Wait);
    }

    private Task<Team> TeamAsync() => portal.SharedAsync(async p =>
    {
        var (client, user) = await p.CreateUserClientAsync();
        var userId = await client.GetUserIdAsync();
        var organization = await client.PostForIdAsync("/api/organization", new { name = $"forms-{CatalogueSteps.Unique()}" });
        var project = await client.PostForIdAsync($"/api/organization/{organization}/project", new { name = "shop" });
        var environment = await client.PostForIdAsync($"/api/project/{project}/environment", new { name = "staging", mode = "STAGING" });
        return new Team(client, user.Email, userId, organization, environment);
    });

    private sealed record Team(HttpClient Owner, string Email, Guid UserId, Guid OrganizationId, Guid EnvironmentId);
}
