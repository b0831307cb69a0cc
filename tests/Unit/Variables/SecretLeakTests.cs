using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Platform.Tests.Billing;
using Platform.Tests.Support;

namespace Platform.Tests.Variables;

/// <summary>
/// A secret's value reaches no answer, no page, no event and no readable column: secrets (and a repository URL's
/// password, and addons' secret settings) are made with a unique marker, then every GET endpoint the OpenAPI document lists and every page are
/// read and searched for it.
/// </summary>
public sealed class SecretLeakTests(PortalFactory portal) : IClassFixture<PortalFactory>, IAsyncLifetime
{
    private readonly string _marker = $"MARKER-{Guid.NewGuid():N}";
    private Catalogue _catalogue = null!;
    private Guid _deployment;
    private Guid _invoice;

    public async Task InitializeAsync()
    {
        _catalogue = await Catalogue.CreateAsync(portal, "leaky");
        var c = _catalogue;
        foreach (var holder in new[] { $"organization/{c.OrganizationId}", $"project/{c.ProjectId}", $"environment/{c.EnvironmentId}", $"application/{c.ApplicationId}" })
        {
            await c.Owner.PostForIdAsync($"/api/{holder}/secret", new { key = "API_KEY", value = _marker, description = "third-party key" });
        }

        var changed = await c.Owner.PostForIdAsync($"/api/application/{c.ApplicationId}/secret", new { key = "ROTATED", value = "first" });
        (await c.Owner.PutAsJsonAsync($"/api/secret/{changed}", new { value = _marker + "-rotated" })).EnsureSuccessStatusCode();
        // A repository password too; nothing listens on port 9, so the fetch fails at once, without leaving the machine.
        (await c.Owner.PutAsJsonAsync($"/api/application/{c.ApplicationId}", new { git_repository = new { url = $"http://deployer:{_marker}-git@127.0.0.1:9/web.git" } }))
            .EnsureSuccessStatusCode();
        // Addons' secret settings too; their regex selects no environment, so nothing is ever sent to these hosts.
        (await c.Owner.PostAsJsonAsync($"/api/project/{c.ProjectId}/addon/Slack", new
        {
            matching_environments_regex = "^no-environment$",
            settings = new { webhook_url = $"https://hooks.slack.com/services/T0/B0/{_marker}" },
        })).EnsureSuccessStatusCode();
        (await c.Owner.PostAsJsonAsync($"/api/project/{c.ProjectId}/addon/Webhook", new
        {
            matching_environments_regex = "^no-environment$",
            settings = new { url = $"https://receiver.example.com/{_marker}", signing_secret = _marker },
        })).EnsureSuccessStatusCode();
        _deployment = await c.Owner.DeployAsync(c.ApplicationId);
        _invoice = await portal.InsertInvoiceAsync(c.OrganizationId);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task EveryGetEndpoint_NeverAnswersTheSecretValue()
    {
        var document = JsonNode.Parse(await portal.CreateAnonymousClient().GetStringAsync("/openapi/v1.json"))!;
        var paths = document["paths"]!.AsObject()
            .Where(p => p.Value!["get"] is not null && p.Key.StartsWith("/api/", StringComparison.Ordinal))
            .Select(p => p.Key)
            .ToList();
        var cluster = (await _catalogue.Owner.GetFromJsonAsync<JsonObject>($"/api/organization/{_catalogue.OrganizationId}/cluster"))!["results"]![0]!["id"]!.GetValue<string>();
        var answered = new List<string>();

        foreach (var path in paths)
        {
            var url = Fill(path, cluster) + (path.EndsWith("/event", StringComparison.Ordinal) ? "?tail=500" : "");
            var response = await _catalogue.Owner.GetAsync(url);
            var body = await response.Content.ReadAsStringAsync();

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url} answered {(int)response.StatusCode}: {body}");
            Assert.DoesNotContain(_marker, body, StringComparison.Ordinal);
            answered.Add(url);
        }

        Assert.Contains(answered, u => u.EndsWith("/secret", StringComparison.Ordinal));
        Assert.Contains(answered, u => u.Contains("/event", StringComparison.Ordinal));
        Assert.Contains(answered, u => u.EndsWith("/addon", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryPage_NeverShowsTheSecretValue()
    {
        var client = await portal.SignedInClientAsync(_catalogue.OwnerUser);
        var c = _catalogue;
        string[] pages =
        [
            "/",
            "/referral",
            $"/organization/{c.OrganizationId}",
            $"/organization/{c.OrganizationId}/members",
            $"/organization/{c.OrganizationId}/variables",
            $"/organization/{c.OrganizationId}/tokens",
            $"/organization/{c.OrganizationId}/settings",
            $"/project/{c.ProjectId}",
            $"/environment/{c.EnvironmentId}",
            $"/environment/{c.EnvironmentId}/application/new",
            $"/application/{c.ApplicationId}",
        ];

        foreach (var page in pages)
        {
            var response = await client.GetAsync(page);
            var html = await response.Content.ReadAsStringAsync();

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{page} answered {(int)response.StatusCode}");
            Assert.DoesNotContain(_marker, html, StringComparison.Ordinal);
        }

        var variablesPage = await client.GetStringAsync($"/organization/{c.OrganizationId}/variables");
        Assert.Contains("API_KEY", variablesPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secrets_AreStoredEncrypted_AndEventsHoldNoValue()
    {
        await using var connection = new NpgsqlConnection(portal.ConnectionString);
        await connection.OpenAsync();

        var variables = await ReadAllAsync(connection, "SELECT v::text FROM variable v");
        var events = await ReadAllAsync(connection, "SELECT e::text FROM event e");
        var deployments = await ReadAllAsync(connection, "SELECT d::text FROM service_deployment d");
        var applications = await ReadAllAsync(connection, "SELECT a::text FROM application a");
        var addons = await ReadAllAsync(connection, $"SELECT a::text FROM project_addon a WHERE organization_id = '{_catalogue.OrganizationId}'");
        var logs = await ReadAllAsync(connection, "SELECT l::text FROM log_line l");
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM variable WHERE organization_id = @organization AND is_secret AND value IS NULL AND protected_value IS NOT NULL", connection);
        count.Parameters.AddWithValue("organization", _catalogue.OrganizationId);
        var encrypted = (long)(await count.ExecuteScalarAsync())!;

        Assert.Equal(5, encrypted);
        Assert.NotEmpty(events);
        Assert.DoesNotContain(variables, row => row.Contains(_marker, StringComparison.Ordinal));
        Assert.DoesNotContain(events, row => row.Contains(_marker, StringComparison.Ordinal));
        Assert.NotEmpty(deployments);
        Assert.DoesNotContain(deployments, row => row.Contains(_marker, StringComparison.Ordinal));
        Assert.DoesNotContain(logs, row => row.Contains(_marker, StringComparison.Ordinal));
        Assert.DoesNotContain(applications, row => row.Contains(_marker, StringComparison.Ordinal));
        Assert.Equal(2, addons.Count);
        Assert.DoesNotContain(addons, row => row.Contains(_marker, StringComparison.Ordinal));
        Assert.Contains(applications, row => row.Contains("http://deployer:***@127.0.0.1:9/web.git", StringComparison.Ordinal));
    }

    private string Fill(string path, string cluster)
    {
        var c = _catalogue;
        var kind = path.Split('/', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1);
        var id = kind switch
        {
            "organization" => c.OrganizationId.ToString(),
            "project" => c.ProjectId.ToString(),
            "environment" => c.EnvironmentId.ToString(),
            "application" => c.ApplicationId.ToString(),
            "database" => c.DatabaseId.ToString(),
            "cluster" => cluster,
            "invoice" => _invoice.ToString(),
            _ => "",
        };
        return path.Replace("{envId}", c.EnvironmentId.ToString(), StringComparison.Ordinal)
            .Replace("/deployment/{id}", $"/deployment/{_deployment}", StringComparison.Ordinal)
            .Replace("{name}", "Webhook", StringComparison.Ordinal)
            .Replace("{id}", id, StringComparison.Ordinal);
    }

    private static async Task<List<string>> ReadAllAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
