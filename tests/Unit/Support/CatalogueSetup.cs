using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Platform.Tests.Support;

/// <summary>An organization with one project, environment, application and database, made through the API.</summary>
public sealed record Catalogue(HttpClient Owner, TestUser OwnerUser, Guid OrganizationId, Guid ProjectId, Guid EnvironmentId, Guid ApplicationId, Guid DatabaseId)
{
    public static async Task<Catalogue> CreateAsync(PortalFactory portal, string name = "acme")
    {
        var (owner, user) = await portal.CreateUserClientAsync();
        var organization = await owner.PostForIdAsync("/api/organization", new { name });
        var project = await owner.PostForIdAsync($"/api/organization/{organization}/project", new { name = "shop" });
        var environment = await owner.PostForIdAsync($"/api/project/{project}/environment", new { name = "staging", mode = "STAGING" });
        var application = await owner.PostForIdAsync($"/api/environment/{environment}/application",
            new { name = "web", git_repository = new { url = "/srv/git/web.git" }, start_command = "npm start", port = 3000 });
        var database = await owner.PostForIdAsync($"/api/environment/{environment}/database", new { name = "main" });
        return new Catalogue(owner, user, organization, project, environment, application, database);
    }
}

public static class JsonRequests
{
    /// <summary>Asks for a deployment of the application, insists on 202 and answers the environment deployment's id.</summary>
    public static async Task<Guid> DeployAsync(this HttpClient client, Guid applicationId)
    {
        var response = await client.PostAsync($"/api/application/{applicationId}/deploy", null);
        var text = await response.Content.ReadAsStringAsync();
        return response.StatusCode == System.Net.HttpStatusCode.Accepted
            ? Guid.Parse(JsonNode.Parse(text)!["id"]!.GetValue<string>())
            : throw new InvalidOperationException($"POST /api/application/{applicationId}/deploy answered {(int)response.StatusCode}: {text}");
    }

    /// <summary>POSTs JSON, insists on 201 and answers the new resource's id.</summary>
    public static async Task<Guid> PostForIdAsync(this HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        return response.StatusCode == System.Net.HttpStatusCode.Created
            ? Guid.Parse(JsonNode.Parse(text)!["id"]!.GetValue<string>())
            : throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {text}");
    }
}
