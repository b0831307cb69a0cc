using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Addons;
using Platform.Domain.Common;
using Platform.Tests.Support;

namespace Platform.Tests.Addons;

/// <summary>
/// GET /project/{id}/addon and install, change, uninstall: the draft's shape, per-field validation, the regex
/// rule, and secret settings that are kept encrypted and only ever answered masked.
/// </summary>
public sealed class AddonCatalogueTests(AddonPortal addons) : IClassFixture<AddonPortal>
{
    private const string Masked = "••••••••";

    private PortalFactory Portal => addons.Portal;

    [Fact]
    public async Task Catalogue_OfAFreshProject_ListsSlackWebhookAndEmail_NoneInstalled()
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var project = await org.NewProjectAsync();

        var results = await org.Owner.GetResultsAsync($"/api/project/{project}/addon");

        Assert.Equal(["Slack", "Webhook", "Email"], results.Select(a => a.Text("name")));
        foreach (var addon in results.Select(a => a!.AsObject()))
        {
            Assert.False(string.IsNullOrWhiteSpace(addon.Text("short_description")));
            Assert.False(string.IsNullOrWhiteSpace(addon.Text("description")));
            Assert.True(addon["is_trusted"]!.GetValue<bool>());
            Assert.False(addon["is_installed"]!.GetValue<bool>());
            Assert.Null(addon["matching_environments_regex"]);
            Assert.Empty(addon["settings"]!.AsObject());
            Assert.Contains("DEPLOYMENT_FAILED", addon["metadata"]!["events"]!.AsArray().Select(e => e!.GetValue<string>()));
        }

        var webhookSettings = results[1]!["metadata"]!["settings"]!.AsArray();
        Assert.Equal(["url", "signing_secret"], webhookSettings.Select(s => s.Text("name")));
        Assert.All(webhookSettings, s => Assert.True(s!["secret"]!.GetValue<bool>()));
        Assert.False(results[2]!["metadata"]!["settings"]![0]!["secret"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Install_AnyCaseOfTheName_Answers201Installed_WithTheSecretMasked()
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var project = await org.NewProjectAsync();

        var response = await org.Owner.InstallAsync(project, "slack", new { settings = new { webhook_url = AddonPortal.SlackUrl + "tok3n" } });

        var installed = await response.ReadJsonAsync(HttpStatusCode.Created, "install slack");
        Assert.Equal("Slack", installed.Text("name"));
        Assert.True(installed["is_installed"]!.GetValue<bool>());
        Assert.Equal(".*", installed.Text("matching_environments_regex"));
        Assert.Equal($"https://hooks.slack.com/{Masked}", installed["settings"].Text("webhook_url"));
        Assert.NotNull(installed["metadata"].Text("installed_at"));
        var listed = await org.Owner.AddonAsync(project, "Slack");
        Assert.True(listed["is_installed"]!.GetValue<bool>());
        Assert.Equal($"https://hooks.slack.com/{Masked}", listed["settings"].Text("webhook_url"));
    }

    [Fact]
    public async Task InstallChangeUninstall_AreEventsOnTheProjectWithTheirAuthor()
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var project = await org.NewProjectAsync();
        await org.Owner.InstalledAsync(project, "Email", new { settings = new { recipients = "ops@example.com" } });
        await (await org.Owner.ChangeAsync(project, "Email", new { matching_environments_regex = "^prod" })).ExpectAsync(HttpStatusCode.OK, "change Email");
        await (await org.Owner.DeleteAsync($"/api/project/{project}/addon/Email")).ExpectAsync(HttpStatusCode.NoContent, "uninstall Email");

        var events = await org.Owner.GetResultsAsync($"/api/organization/{org.Id}/event?targetId={project}");
        var owner = await org.Owner.GetUserIdAsync();

        Assert.Equal(["DELETED", "UPDATED", "CREATED"], events.Select(e => e!["status"].Text("state")));
        Assert.All(events, e => Assert.Equal(owner, e!["owner"]!.AsObject().Id()));
    }

    [Fact]
    public async Task Install_UnknownAddon_Answers404()
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var project = await org.NewProjectAsync();

        var response = await org.Owner.InstallAsync(project, "pagerduty", new { settings = new { } });

        await response.AssertProblemAsync(HttpStatusCode.NotFound, "install an unknown addon");
    }

    [Fact]
    public async Task Install_Twice_Answers409()
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var project = await org.NewProjectAsync();
        await org.Owner.InstalledAsync(project, "Email", new { settings = new { recipients = "ops@example.com" } });

        var again = await org.Owner.InstallAsync(project, "email", new { settings = new { recipients = "dev@example.com" } });

        await again.AssertProblemAsync(HttpStatusCode.Conflict, "install Email again");
        Assert.Equal("ops@example.com", (await org.Owner.AddonAsync(project, "Email"))["settings"].Text("recipients"));
    }

    [Fact]
    public async Task Change_LeavingOutASecret_KeepsItsStoredValue()
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var project = await org.NewProjectAsync();
        await org.Owner.InstalledAsync(project, "Webhook", new
        {
            settings = new { url = "https://receiver.example.com/in/first-token", signing_secret = "a signing secret of some length" },
        });

        var response = await org.Owner.ChangeAsync(project, "Webhook", new
        {
            matching_environments_regex = "^prod",
            settings = new { url = "https://other.example.com/in/second-token" },
        });

        var changed = await response.ReadJsonAsync(HttpStatusCode.OK, "change Webhook");
        Assert.Equal("^prod", changed.Text("matching_environments_regex"));
        Assert.Equal($"https://other.example.com/{Masked}", changed["settings"].Text("url"));
        Assert.Equal(Masked, changed["settings"].Text("signing_secret"));
        var secrets = await StoredSecretsAsync(project);
        Assert.Equal("a signing secret of some length", secrets["signing_secret"]);
        Assert.Equal("https://other.example.com/in/second-token", secrets["url"]);
    }

    [Fact]
    public async Task Change_SendingBackTheMaskedValue_KeepsTheSecret()
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var project = await org.NewProjectAsync();
        var installed = await org.Owner.InstalledAsync(project, "Slack", new { settings = new { webhook_url = AddonPortal.SlackUrl + "kept" } });

        var response = await org.Owner.ChangeAsync(project, "Slack", new { settings = new { webhook_url = installed["settings"].Text("webhook_url") } });

        await response.ExpectAsync(HttpStatusCode.OK, "change Slack with its masked URL");
        Assert.Equal(AddonPortal.SlackUrl + "kept", (await StoredSecretsAsync(project))["webhook_url"]);
    }

    [Fact]
    public async Task Uninstall_Answers204_AndTheAddonIsNoLongerInstalled()
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var project = await org.NewProjectAsync();
        await org.Owner.InstalledAsync(project, "Email", new { settings = new { recipients = "ops@example.com" } });

        var response = await org.Owner.DeleteAsync($"/api/project/{project}/addon/EMAIL");

        await response.ExpectAsync(HttpStatusCode.NoContent, "uninstall Email");
        var listed = await org.Owner.AddonAsync(project, "Email");
        Assert.False(listed["is_installed"]!.GetValue<bool>());
        Assert.Empty(listed["settings"]!.AsObject());
        Assert.Empty(await Portal.StoredAddonRowsAsync(project));
    }

    [Theory]
    [InlineData("Slack", """{"webhook_url": "not a url"}""", "settings.webhook_url")]
    [InlineData("Slack", """{"webhook_url": "http://hooks.slack.com/services/T0/B0/x"}""", "settings.webhook_url")]
    [InlineData("Slack", """{"webhook_url": "https://hooks.slack.com.evil.example/services/T0/B0/x"}""", "settings.webhook_url")]
    [InlineData("Slack", """{"webhook_url": "https://hooks.slack.com/api/x"}""", "settings.webhook_url")]
    [InlineData("Slack", """{}""", "settings.webhook_url")]
    [InlineData("Webhook", """{"url": "ftp://receiver.example.com/in", "signing_secret": "0123456789abcdef"}""", "settings.url")]
    [InlineData("Webhook", """{"url": "https://user:pass@receiver.example.com/in", "signing_secret": "0123456789abcdef"}""", "settings.url")]
    [InlineData("Webhook", """{"url": "https://receiver.example.com/in", "signing_secret": "too short"}""", "settings.signing_secret")]
    [InlineData("Webhook", """{"url": "https://receiver.example.com/in"}""", "settings.signing_secret")]
    [InlineData("Email", """{"recipients": "ops@example.com, not-an-address"}""", "settings.recipients")]
    [InlineData("Email", """{"recipients": " , "}""", "settings.recipients")]
    [InlineData("Email", """{"recipients": "ops@example.com", "api_key": "x"}""", "settings.api_key")]
    public async Task Install_WithABadSetting_Answers400NamingThatField(string addon, string settings, string field)
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var project = await org.NewProjectAsync();

        var response = await org.Owner.InstallAsync(project, addon, new { settings = JsonNode.Parse(settings) });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, $"install {addon} with {settings}");
        Assert.Equal([field], problem.ErrorFields());
        Assert.False((await org.Owner.AddonAsync(project, addon))["is_installed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Install_SlackOnALoopbackReceiver_OverHttp_IsTakenWhenTheOperatorAllowsPrivateAddresses()
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var project = await org.NewProjectAsync();

        var response = await org.Owner.InstallAsync(project, "Slack", new { settings = new { webhook_url = "http://127.0.0.1:9/services/T0/B0/x" } });

        var installed = await response.ReadJsonAsync(HttpStatusCode.Created, "install Slack on 127.0.0.1");
        Assert.Equal("http://127.0.0.1:9/••••••••", installed["settings"].Text("webhook_url"));
    }

    [Fact]
    public async Task Install_TwentyOneRecipients_Answers400OnRecipients()
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var project = await org.NewProjectAsync();
        var recipients = string.Join(", ", Enumerable.Range(1, 21).Select(i => $"r{i}@example.com"));

        var response = await org.Owner.InstallAsync(project, "Email", new { settings = new { recipients } });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "install Email with 21 recipients");
        Assert.Equal(["settings.recipients"], problem.ErrorFields());
    }

    [Theory]
    [InlineData("(unclosed")]
    [InlineData("(a+)+$")]
    [InlineData("(x+x+)+y")]
    public async Task Install_WithAnInvalidOrCatastrophicRegex_Answers400OnTheRegex(string regex)
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var project = await org.NewProjectAsync();

        var response = await org.Owner.InstallAsync(project, "Email", new { matching_environments_regex = regex, settings = new { recipients = "ops@example.com" } });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, $"install with regex {regex}");
        Assert.Equal(["matching_environments_regex"], problem.ErrorFields());
    }

    [Fact]
    public async Task Change_ToACatastrophicRegex_Answers400_AndKeepsTheOldOne()
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var project = await org.NewProjectAsync();
        await org.Owner.InstalledAsync(project, "Email", new { matching_environments_regex = "^prod", settings = new { recipients = "ops@example.com" } });

        var response = await org.Owner.ChangeAsync(project, "Email", new { matching_environments_regex = "(a+)+$" });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "change to a catastrophic regex");
        Assert.Equal(["matching_environments_regex"], problem.ErrorFields());
        Assert.Equal("^prod", (await org.Owner.AddonAsync(project, "Email")).Text("matching_environments_regex"));
    }

    [Fact]
    public async Task MatchingEnvironments_SaysWhichOfTheProjectsEnvironmentsTheRegexSelects()
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var project = await org.NewProjectAsync();
        foreach (var name in new[] { "feat-login", "production", "feat-cart" })
        {
            await org.Owner.CreateEnvironmentAsync(project, name);
        }

        var matches = await org.Team.Member("ADMIN").Client.GetResultsAsync($"/api/project/{project}/addon/matchingEnvironments?regex=%5Efeat-");
        var bad = await org.Owner.GetAsync($"/api/project/{project}/addon/matchingEnvironments?regex=(x%2Bx%2B)%2By");

        Assert.Equal(["feat-cart", "feat-login", "production"], matches.Select(m => m.Text("name")));
        Assert.Equal([true, true, false], matches.Select(m => m!["matches"]!.GetValue<bool>()));
        Assert.Equal(["matching_environments_regex"], (await bad.AssertProblemAsync(HttpStatusCode.BadRequest, "a catastrophic regex")).ErrorFields());
    }

    [Fact]
    public async Task SecretSettings_NeverAnsweredInClear_AndStoredEncrypted()
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var project = await org.NewProjectAsync();
        var marker = $"MARKER{Guid.NewGuid():N}";
        var bodies = new List<string>
        {
            (await org.Owner.InstalledAsync(project, "Slack", new { settings = new { webhook_url = AddonPortal.SlackUrl + marker } })).ToJsonString(),
            (await org.Owner.InstalledAsync(project, "Webhook", new { settings = new { url = $"https://receiver.example.com/{marker}?token={marker}", signing_secret = marker } })).ToJsonString(),
        };
        var changed = await org.Owner.ChangeAsync(project, "Webhook", new { settings = new { signing_secret = marker + "-rotated" } });
        bodies.Add(await changed.Content.ReadAsStringAsync());
        bodies.Add(await org.Owner.GetStringAsync($"/api/project/{project}/addon"));
        bodies.Add(await org.Team.Member("VIEWER").Client.GetStringAsync($"/api/project/{project}/addon"));

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.All(bodies, body => Assert.DoesNotContain(marker, body, StringComparison.Ordinal));
        Assert.Contains($"https://receiver.example.com/{Masked}", bodies[^1], StringComparison.Ordinal);
        var rows = await Portal.StoredAddonRowsAsync(project);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, row => Assert.DoesNotContain(marker, row, StringComparison.Ordinal));
        Assert.Equal(marker + "-rotated", (await StoredSecretsAsync(project, "Webhook"))["signing_secret"]);
    }

    /// <summary>The secret settings as the portal decrypts them: what a sender would use.</summary>
    private async Task<Dictionary<string, string>> StoredSecretsAsync(Guid project, string? kind = null)
    {
        await using var db = await Portal.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContextAsync();
        var installed = await db.ProjectAddons.AsNoTracking().Where(a => a.ProjectId == project).ToListAsync();
        var addon = installed.Single(a => kind is null || a.Kind.ToString() == kind);
        return AddonSecrets.Read(addon, Portal.Services.GetRequiredService<ISecretProtector>());
    }
}
