using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using Platform.Tests.Support;

namespace Platform.Tests.Users;

public sealed class UserApiTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Register_ThenToken_ThenGetUser_AnswersTheProfile()
    {
        var user = ApiSessions.NewUser("Grace", "Hopper");
        var client = portal.CreateAnonymousClient();

        var registered = await client.RegisterAsync(user);
        var token = await client.IssueTokenAsync(user);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var profile = await client.GetFromJsonAsync<JsonObject>("/api/user");

        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        Assert.Equal(user.Email, profile!["email"]!.GetValue<string>());
        Assert.Equal("Grace", profile["first_name"]!.GetValue<string>());
        Assert.Equal("Hopper", profile["last_name"]!.GetValue<string>());
        Assert.True(Guid.TryParse(profile["id"]!.GetValue<string>(), out var id) && id.Version == 7);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", profile["created_at"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetUser_AcceptsTheTokenScheme()
    {
        var user = ApiSessions.NewUser();
        var client = portal.CreateAnonymousClient();
        await client.RegisterAsync(user);
        var token = await client.IssueTokenAsync(user);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/user");
        request.Headers.TryAddWithoutValidation("Authorization", $"Token {token}");
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task GetUser_WithoutToken_Returns401ProblemDetails()
    {
        var response = await portal.CreateAnonymousClient().GetAsync("/api/user");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(401, problem!["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task GetUser_WithUnknownToken_Returns401()
    {
        var client = portal.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "plt_" + new string('x', 43));

        var response = await client.GetAsync("/api/user");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Token_WithWrongPassword_Returns401()
    {
        var user = ApiSessions.NewUser();
        var client = portal.CreateAnonymousClient();
        await client.RegisterAsync(user);

        var response = await client.PostAsJsonAsync("/api/auth/token", new { email = user.Email, password = "not the password" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Invalid email or password.", problem!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Register_WithInvalidFields_Returns400WithAnErrorPerField()
    {
        var response = await portal.CreateAnonymousClient().PostAsJsonAsync("/api/auth/register", new
        {
            email = "not-an-email",
            password = "short",
            first_name = "",
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Equal(["email", "first_name", "last_name", "password"], errors.Select(e => e.Key).Order());
    }

    [Fact]
    public async Task Register_WithAnEmailAlreadyTaken_Returns409()
    {
        var user = ApiSessions.NewUser();
        var client = portal.CreateAnonymousClient();
        await client.RegisterAsync(user);

        var again = await client.RegisterAsync(user with { FirstName = "Other" });

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task Token_IsStoredOnlyAsItsSha256Hash()
    {
        var user = ApiSessions.NewUser();
        var client = portal.CreateAnonymousClient();
        await client.RegisterAsync(user);
        var token = await client.IssueTokenAsync(user);

        await using var connection = new NpgsqlConnection(portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT t::text, token_hash FROM api_token t JOIN _user u ON u.id = t.user_id WHERE u.email = @email", connection);
        command.Parameters.AddWithValue("email", user.Email);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var wholeRow = reader.GetString(0);
        var hash = (byte[])reader[1];

        Assert.DoesNotContain(token, wholeRow, StringComparison.Ordinal);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(token)), hash);
    }

    [Fact]
    public async Task Token_CarriesAtLeast256RandomBits()
    {
        var user = ApiSessions.NewUser();
        var client = portal.CreateAnonymousClient();
        await client.RegisterAsync(user);

        var first = await client.IssueTokenAsync(user);
        var second = await client.IssueTokenAsync(user);

        Assert.NotEqual(first, second);
        var secret = System.Buffers.Text.Base64Url.DecodeFromChars(first.AsSpan("plt_".Length));
        Assert.True(secret.Length * 8 >= 256, $"{secret.Length * 8} bits");
    }
}
