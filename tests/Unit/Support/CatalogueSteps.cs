using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace Platform.Tests.Support;

/// <summary>Steps that project, environment, application, database and event tests share.</summary>
public static class CatalogueSteps
{
    /// <summary>Creates a project as the caller (ADMIN or OWNER); answers it as the API did.</summary>
    public static async Task<JsonObject> CreateProjectAsync(this HttpClient client, Guid organizationId, string name, string? description = null) =>
        await (await client.PostAsJsonAsync($"/api/organization/{organizationId}/project", new { name, description }))
            .ReadJsonAsync(HttpStatusCode.Created, "POST project");

    /// <summary>Creates an environment on the organization's default cluster unless one is named.</summary>
    public static async Task<JsonObject> CreateEnvironmentAsync(
        this HttpClient client, Guid projectId, string name, string mode = "DEVELOPMENT", Guid? clusterId = null) =>
        await (await client.PostAsJsonAsync($"/api/project/{projectId}/environment", new { name, mode, cluster_id = clusterId }))
            .ReadJsonAsync(HttpStatusCode.Created, "POST environment");

    /// <summary>Creates an application from <see cref="ApplicationBody"/> (or the body given).</summary>
    public static async Task<JsonObject> CreateApplicationAsync(this HttpClient client, Guid environmentId, string name, JsonObject? body = null) =>
        await (await client.PostAsJsonAsync($"/api/environment/{environmentId}/application", body ?? ApplicationBody(name)))
            .ReadJsonAsync(HttpStatusCode.Created, "POST application");

    public static async Task<JsonObject> CreateDatabaseAsync(this HttpClient client, Guid environmentId, string name, string version = "15", int storage = 10) =>
        await (await client.PostAsJsonAsync(
                $"/api/environment/{environmentId}/database", new { name, type = "POSTGRESQL", version, mode = "CONTAINER", storage }))
            .ReadJsonAsync(HttpStatusCode.Created, "POST database");

    /// <summary>An application with every field set, none of them to its default; tests change what they need.</summary>
    public static JsonObject ApplicationBody(string name) => new()
    {
        ["name"] = name,
        ["git_repository"] = new JsonObject { ["url"] = "/srv/git/web.git", ["branch"] = "release/1.2", ["root_path"] = "/services/web" },
        ["build_command"] = "npm ci && npm run build",
        ["start_command"] = "npm start",
        ["port"] = 3000,
        ["cpu"] = 1.5,
        ["memory"] = 512,
        ["min_running_instances"] = 2,
        ["max_running_instances"] = 4,
        ["auto_deploy"] = true,
        ["storage"] = 20,
        ["metric_thresholds"] = new JsonObject
        {
            ["scale"] = Threshold(75, 85),
            ["cpu"] = Threshold(70, 90),
            ["memory"] = Threshold(80, 80),
            ["storage"] = Threshold(60, 100),
        },
        ["healthchecks"] = new JsonObject
        {
            ["readiness_probe"] = new JsonObject
            {
                ["type"] = "HTTP", ["path"] = "/health", ["initial_delay_seconds"] = 2, ["period_seconds"] = 6, ["timeout_seconds"] = 4, ["failure_threshold"] = 5,
            },
            ["liveness_probe"] = new JsonObject
            {
                ["type"] = "COMMAND", ["command"] = "./alive.sh", ["initial_delay_seconds"] = 12, ["period_seconds"] = 15, ["timeout_seconds"] = 3, ["failure_threshold"] = 2,
            },
        },
    };

    private static JsonObject Threshold(int warning, int alert) => new() { ["warning_threshold_in_percent"] = warning, ["alert_threshold_in_percent"] = alert };

    /// <summary>The organization's default cluster, as GET organization/{id}/cluster answers it.</summary>
    public static async Task<JsonObject> DefaultClusterAsync(this HttpClient client, Guid organizationId) =>
        (await client.GetResultsAsync($"/api/organization/{organizationId}/cluster"))
            .Single(c => c!["is_default"]!.GetValue<bool>())!.AsObject();

    /// <summary>
    /// Checks that the answer is problem details with that status; answers the problem. <paramref name="what"/>
    /// names the call in the failure message, which then shows the body.
    /// </summary>
    public static async Task<JsonObject> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode expected, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{what}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.True(
            response.Content.Headers.ContentType?.MediaType == "application/problem+json",
            $"{what}: expected problem details, got {response.Content.Headers.ContentType}: {body}");
        var problem = JsonNode.Parse(body)!.AsObject();
        Assert.Equal((int)expected, problem["status"]!.GetValue<int>());
        return problem;
    }

    /// <summary>The fields a validation problem names, sorted.</summary>
    public static string[] ErrorFields(this JsonObject problem) =>
        problem["errors"] is JsonObject errors ? errors.Select(e => e.Key).Order(StringComparer.Ordinal).ToArray() : [];

    /// <summary>Sends <paramref name="count"/> requests at once; answers their statuses in order.</summary>
    public static async Task<int[]> ConcurrentlyAsync(int count, Func<int, Task<HttpResponseMessage>> send)
    {
        using var start = new SemaphoreSlim(0, count);
        var calls = Enumerable.Range(0, count).Select(async i =>
        {
            await start.WaitAsync();
            return (int)(await send(i)).StatusCode;
        }).ToList();
        start.Release(count);
        return await Task.WhenAll(calls);
    }

    /// <summary>A short unique suffix for names that must not collide across tests of one class.</summary>
    public static string Unique() => Guid.NewGuid().ToString("N")[..10];

    /// <summary>The ids of an environment's events in the order they were committed, read from the database.</summary>
    public static async Task<IReadOnlyList<Guid>> StoredEventIdsAsync(this PortalFactory portal, Guid environmentId)
    {
        await using var connection = new NpgsqlConnection(portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id FROM event WHERE environment_id = @environment ORDER BY sequence", connection);
        command.Parameters.AddWithValue("environment", environmentId);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<Guid>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    /// <summary>Runs a statement on the portal's database, e.g. to put a service in a state no API call reaches yet.</summary>
    public static async Task ExecuteSqlAsync(this PortalFactory portal, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }
}
