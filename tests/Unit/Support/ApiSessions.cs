using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Platform.Tests.Support;

public sealed record TestUser(string Email, string Password, string FirstName, string LastName);

/// <summary>Steps that many API tests share: make an account, get a token, call as that user.</summary>
public static class ApiSessions
{
    public const string Password = "a long test passphrase";

    public static TestUser NewUser(string firstName = "Ada", string lastName = "Lovelace") =>
        new($"{firstName.ToLowerInvariant()}.{Guid.NewGuid():N}@example.com", Password, firstName, lastName);

    public static async Task<HttpResponseMessage> RegisterAsync(this HttpClient client, TestUser user) =>
        await client.PostAsJsonAsync("/api/auth/register", new
        {
            email = user.Email,
            password = user.Password,
            first_name = user.FirstName,
            last_name = user.LastName,
        });

    public static async Task<string> IssueTokenAsync(this HttpClient client, TestUser user)
    {
        var response = await client.PostAsJsonAsync("/api/auth/token", new { email = user.Email, password = user.Password, name = "tests" });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        return body!["token"]!.GetValue<string>();
    }

    /// <summary>Registers a new user and answers a client that sends that user's token.</summary>
    public static async Task<(HttpClient Client, TestUser User)> CreateUserClientAsync(this PortalFactory portal)
    {
        var user = NewUser();
        var client = portal.CreateAnonymousClient();
        (await client.RegisterAsync(user)).EnsureSuccessStatusCode();
        var token = await client.IssueTokenAsync(user);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (client, user);
    }
}
