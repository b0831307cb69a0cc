using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Domain.Addons;
using Platform.Tests.Support;

namespace Platform.Tests.Addons;

/// <summary>
/// A portal for the catalogue's tests: private addresses allowed and 127.0.0.1 taken as a Slack host (as the
/// delivery tests' receivers need), and a recording stand-in for the dispatch side.
/// </summary>
public sealed class AddonPortal : IAsyncLifetime
{
    public const string SlackUrl = "https://hooks.slack.com/services/T0001/B0001/";

    public RecordingAddonDeliveries Deliveries { get; } = new();

    public PortalFactory Portal { get; }

    public AddonPortal() => Portal = PortalFactory.With(
        new Dictionary<string, string?>
        {
            ["Addons:AllowPrivateAddresses"] = "true",
            ["Addons:SlackWebhookHosts:0"] = "127.0.0.1",
        },
        services => services.AddSingleton<IAddonDeliveries>(Deliveries));

    public Task InitializeAsync() => Portal.InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)Portal).DisposeAsync();
}

/// <summary>An organization of the addon tests, with its owner and a member and a token of each other role.</summary>
public sealed record AddonOrganization(HttpClient Owner, Guid Id, RoleTeam Team)
{
    public static Task<AddonOrganization> SharedAsync(PortalFactory portal) => portal.SharedAsync(async p =>
    {
        var (owner, _) = await p.CreateUserClientAsync();
        var id = await owner.CreateOrganizationAsync($"addons-{CatalogueSteps.Unique()}");
        return new AddonOrganization(owner, id, await RoleTeam.CreateAsync(p, owner, id, "ADMIN", "DEVELOPER", "VIEWER"));
    });

    /// <summary>A project of its own for one test, so tests of one class never see each other's addons.</summary>
    public async Task<Guid> NewProjectAsync() => (await Owner.CreateProjectAsync(Id, $"p-{CatalogueSteps.Unique()}")).Id();
}

public static class AddonSteps
{
    public static Task<HttpResponseMessage> InstallAsync(this HttpClient client, Guid projectId, string name, object body) =>
        client.PostAsJsonAsync($"/api/project/{projectId}/addon/{name}", body);

    public static Task<HttpResponseMessage> ChangeAsync(this HttpClient client, Guid projectId, string name, object body) =>
        client.PutAsJsonAsync($"/api/project/{projectId}/addon/{name}", body);

    /// <summary>Installs and insists on 201; answers the answer's body.</summary>
    public static async Task<JsonObject> InstalledAsync(this HttpClient client, Guid projectId, string name, object body) =>
        await (await client.InstallAsync(projectId, name, body)).ReadJsonAsync(HttpStatusCode.Created, $"install {name}");

    /// <summary>The catalogue's entry of that name, as GET …/addon answers it.</summary>
    public static async Task<JsonObject> AddonAsync(this HttpClient client, Guid projectId, string name) =>
        (await client.GetResultsAsync($"/api/project/{projectId}/addon")).Single(a => a.Text("name") == name)!.AsObject();

    /// <summary>Every text of the project's project_addon rows (settings jsonb and the protected secrets included).</summary>
    public static async Task<List<string>> StoredAddonRowsAsync(this PortalFactory portal, Guid projectId)
    {
        await using var connection = new NpgsqlConnection(portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT a::text FROM project_addon a WHERE project_id = @project", connection);
        command.Parameters.AddWithValue("project", projectId);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
