using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Platform.Benchmarks.Harness;

/// <summary>A user of the portal with an API token, made through the public API (register, then issue a token).</summary>
internal sealed record ApiSession(HttpClient Client, string Email, string Password, string Token)
{
    public const string DefaultPassword = "a long benchmark passphrase";

    public static async Task<ApiSession> CreateAsync(PortalProcess portal, string? email = null)
    {
        email ??= $"bench.{Guid.NewGuid():N}@example.com";
        var client = portal.CreateClient();
        (await client.PostAsJsonAsync("/api/auth/register", new { email, password = DefaultPassword, first_name = "Bench", last_name = "User" })).EnsureSuccessStatusCode();
        var response = await client.PostAsJsonAsync("/api/auth/token", new { email, password = DefaultPassword, name = "bench" });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new ApiSession(client, email, DefaultPassword, token);
    }

    /// <summary>POSTs JSON, insists on 201 and answers the new resource's id.</summary>
    public async Task<Guid> CreateAsync(string path, object body)
    {
        var response = await Client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        return response.StatusCode == System.Net.HttpStatusCode.Created
            ? Guid.Parse(JsonNode.Parse(text)!["id"]!.GetValue<string>())
            : throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {text}");
    }
}
