using System.Net;
using System.Net.Http.Json;
using Platform.Domain.Addons;
using Platform.Tests.Support;

namespace Platform.Tests.Addons;

/// <summary>
/// Who may do what with a project's addons: everyone in the organization reads the catalogue and the log; only
/// OWNER and ADMIN install, change, uninstall and send a test; another organization's project answers 404.
/// </summary>
public sealed class AddonAccessTests(AddonPortal addons) : IClassFixture<AddonPortal>
{
    private PortalFactory Portal => addons.Portal;

    [Theory]
    [InlineData("VIEWER member", "POST", "")]
    [InlineData("VIEWER member", "PUT", "")]
    [InlineData("VIEWER member", "DELETE", "")]
    [InlineData("VIEWER member", "POST", "/test")]
    [InlineData("DEVELOPER member", "POST", "")]
    [InlineData("DEVELOPER member", "PUT", "")]
    [InlineData("DEVELOPER member", "DELETE", "")]
    [InlineData("DEVELOPER member", "POST", "/test")]
    [InlineData("DEVELOPER token", "POST", "")]
    public async Task ChangingAddons_AsViewerOrDeveloper_Answers403_AndChangesNothing(string caller, string method, string suffix)
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var project = await org.NewProjectAsync();
        await org.Owner.InstalledAsync(project, "Email", new { settings = new { recipients = "ops@example.com" } });
        var name = method == "POST" && suffix == "" ? "Slack" : "Email";
        using var request = new HttpRequestMessage(new HttpMethod(method), $"/api/project/{project}/addon/{name}{suffix}")
        {
            Content = JsonContent.Create(new { settings = new { webhook_url = AddonPortal.SlackUrl + "x", recipients = "intruder@example.com" } }),
        };

        var response = await org.Team.Caller(caller).SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.Forbidden, $"{method} addon/{name}{suffix} as {caller}");
        var listed = await org.Owner.GetResultsAsync($"/api/project/{project}/addon");
        Assert.False(listed.Single(a => a.Text("name") == "Slack")!["is_installed"]!.GetValue<bool>());
        Assert.Equal("ops@example.com", listed.Single(a => a.Text("name") == "Email")!["settings"].Text("recipients"));
        Assert.DoesNotContain(addons.Deliveries.Tests, t => t.Addon.ProjectId == project);
    }

    [Theory]
    [InlineData("VIEWER member")]
    [InlineData("DEVELOPER member")]
    public async Task RegexTester_AsViewerOrDeveloper_Answers403(string caller)
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var project = await org.NewProjectAsync();

        var response = await org.Team.Caller(caller).GetAsync($"/api/project/{project}/addon/matchingEnvironments?regex=%5Efeat-");

        await response.AssertProblemAsync(HttpStatusCode.Forbidden, $"the regex tester as {caller}");
    }

    [Theory]
    [InlineData("ADMIN member")]
    [InlineData("ADMIN token")]
    public async Task InstallChangeUninstall_AsAdmin_Succeed(string caller)
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var project = await org.NewProjectAsync();
        var admin = org.Team.Caller(caller);

        var installed = await admin.InstallAsync(project, "Email", new { settings = new { recipients = "ops@example.com" } });
        var changed = await admin.ChangeAsync(project, "Email", new { settings = new { recipients = "dev@example.com" } });
        var removed = await admin.DeleteAsync($"/api/project/{project}/addon/Email");

        await installed.ExpectAsync(HttpStatusCode.Created, $"install as {caller}");
        await changed.ExpectAsync(HttpStatusCode.OK, $"change as {caller}");
        await removed.ExpectAsync(HttpStatusCode.NoContent, $"uninstall as {caller}");
    }

    [Theory]
    [InlineData("VIEWER member")]
    [InlineData("DEVELOPER member")]
    public async Task CatalogueAndLog_AsViewerOrDeveloper_Answer200(string caller)
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var project = await org.NewProjectAsync();

        var catalogue = await org.Team.Caller(caller).GetAsync($"/api/project/{project}/addon");
        var log = await org.Team.Caller(caller).GetAsync($"/api/project/{project}/addon/Slack/delivery");

        await catalogue.ExpectAsync(HttpStatusCode.OK, $"GET addon as {caller}");
        await log.ExpectAsync(HttpStatusCode.OK, $"GET delivery as {caller}");
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("GET", "/Slack/delivery")]
    [InlineData("GET", "/matchingEnvironments")]
    [InlineData("POST", "/Email")]
    [InlineData("PUT", "/Email")]
    [InlineData("DELETE", "/Email")]
    [InlineData("POST", "/Email/test")]
    public async Task AnotherOrganizationsProject_Answers404(string method, string path)
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var project = await org.NewProjectAsync();
        await org.Owner.InstalledAsync(project, "Email", new { settings = new { recipients = "ops@example.com" } });
        var (stranger, _) = await Portal.CreateUserClientAsync();
        await stranger.CreateOrganizationAsync($"elsewhere {CatalogueSteps.Unique()}");
        using var request = new HttpRequestMessage(new HttpMethod(method), $"/api/project/{project}/addon{path}")
        {
            Content = method == "GET" ? null : JsonContent.Create(new { settings = new { recipients = "stranger@example.com" } }),
        };

        var response = await stranger.SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.NotFound, $"{method} addon{path} from another organization");
        Assert.Equal("ops@example.com", (await org.Owner.AddonAsync(project, "Email"))["settings"].Text("recipients"));
    }

    [Fact]
    public async Task SendTest_OfAnInstalledAddon_Answers202WithTheDeliveryTheDispatchSideQueued()
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var project = await org.NewProjectAsync();
        await org.Owner.InstalledAsync(project, "Slack", new { settings = new { webhook_url = AddonPortal.SlackUrl + "x" } });

        var response = await org.Owner.PostAsync($"/api/project/{project}/addon/slack/test", null);

        var answer = await response.ReadJsonAsync(HttpStatusCode.Accepted, "send a test");
        var queued = Assert.Single(addons.Deliveries.Tests, t => t.Addon.ProjectId == project);
        Assert.Equal(AddonKind.Slack, queued.Addon.Kind);
        Assert.Equal(queued.DeliveryId, answer.Id());
    }

    [Fact]
    public async Task SendTest_OfAnAddonNotInstalled_Answers404()
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var project = await org.NewProjectAsync();

        var response = await org.Owner.PostAsync($"/api/project/{project}/addon/Webhook/test", null);

        await response.AssertProblemAsync(HttpStatusCode.NotFound, "send a test to an addon not installed");
        Assert.DoesNotContain(addons.Deliveries.Tests, t => t.Addon.ProjectId == project);
    }
}
