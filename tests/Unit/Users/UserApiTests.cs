using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Domain.Users;
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
    public async Task Register_WithATakenEmail_AnswersTheStatusAndShapeOfAFreshSignUp()
    {
        var user = ApiSessions.NewUser();
        var client = portal.CreateAnonymousClient();
        var fresh = await client.RegisterAsync(user);

        var again = await client.RegisterAsync(user with { FirstName = "Other", Password = "another long passphrase" });

        Assert.Equal(HttpStatusCode.Created, fresh.StatusCode);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(fresh.Headers.Location, again.Headers.Location);
        var first = (await fresh.Content.ReadFromJsonAsync<JsonObject>())!;
        var second = (await again.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(first.Select(p => p.Key), second.Select(p => p.Key));
        Assert.NotEqual(first.Id(), second.Id());
        Assert.Equal(7, second.Id().Version);
        Assert.Equal("Other", second.Text("first_name"));
        Assert.Equal(user.Email, second.Text("email"));
    }

    [Fact]
    public async Task Register_WithATakenEmail_StoresNothingAndKeepsTheOwnersPassword()
    {
        var user = ApiSessions.NewUser();
        var client = portal.CreateAnonymousClient();
        await client.RegisterAsync(user);
        var impostor = user with { FirstName = "Impostor", Password = "the impostor's passphrase" };

        var again = await client.RegisterAsync(impostor);
        var answeredId = (await again.Content.ReadFromJsonAsync<JsonObject>())!.Id();
        var asImpostor = await client.PostAsJsonAsync("/api/auth/token", new { email = user.Email, password = impostor.Password });

        await using var connection = new NpgsqlConnection(portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FILTER (WHERE id = @id), count(*) FROM _user WHERE normalized_email = @email OR id = @id", connection);
        command.Parameters.AddWithValue("id", answeredId);
        command.Parameters.AddWithValue("email", user.Email.ToUpperInvariant());
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(0, reader.GetInt64(0));
        Assert.Equal(1, reader.GetInt64(1));
        Assert.Equal(HttpStatusCode.Unauthorized, asImpostor.StatusCode);
        Assert.False(string.IsNullOrEmpty(await portal.CreateAnonymousClient().IssueTokenAsync(user)));
    }

    [Fact]
    public async Task Register_WithATakenEmail_MailsTheAddressOwner()
    {
        var user = ApiSessions.NewUser("Owner", "OfTheAddress");
        var client = portal.CreateAnonymousClient();
        await client.RegisterAsync(user);

        await client.RegisterAsync(user with { FirstName = "Someone" });

        var mail = await portal.WaitForMailAsync(m => m.Contains(user.Email, StringComparison.Ordinal) && m.Contains("tried to sign up", StringComparison.Ordinal));
        Assert.NotNull(mail);
        Assert.Contains("Hello Owner", mail, StringComparison.Ordinal);
        Assert.Contains($"{portal.ServerAddress}account/signin", mail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_WithATakenEmailAndAPasswordIdentityRefuses_Answers400LikeAFreshSignUp()
    {
        var user = ApiSessions.NewUser();
        var client = portal.CreateAnonymousClient();
        await client.RegisterAsync(user);
        const string weak = "aaaaaaaaaaaa";

        var taken = await client.RegisterAsync(user with { Password = weak });
        var fresh = await client.RegisterAsync(ApiSessions.NewUser() with { Password = weak });

        Assert.Equal(HttpStatusCode.BadRequest, fresh.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, taken.StatusCode);
        Assert.Equal(
            (await fresh.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.ToJsonString(),
            (await taken.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.ToJsonString());
    }

    [Fact]
    public async Task Token_ForAnUnknownEmailAndForAWrongPassword_AnswerTheSameStatusAndBody()
    {
        var user = ApiSessions.NewUser();
        var client = portal.CreateAnonymousClient();
        await client.RegisterAsync(user);

        var wrongPassword = await client.PostAsJsonAsync("/api/auth/token", new { email = user.Email, password = "not the password" });
        var unknownEmail = await client.PostAsJsonAsync("/api/auth/token", new { email = ApiSessions.NewUser().Email, password = "not the password" });

        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.Equal(wrongPassword.StatusCode, unknownEmail.StatusCode);
        Assert.Equal(wrongPassword.Content.Headers.ContentType, unknownEmail.Content.Headers.ContentType);
        Assert.Equal(await WithoutTraceIdAsync(wrongPassword), await WithoutTraceIdAsync(unknownEmail));
    }

    [Fact]
    public async Task CheckPassword_ForAnUnknownEmail_VerifiesAHashAsAWrongPasswordDoes()
    {
        var user = ApiSessions.NewUser();
        await portal.CreateAnonymousClient().RegisterAsync(user);
        await using var scope = portal.Services.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<UserManager<PlatformUser>>();
        var counting = new CountingHasher(manager.PasswordHasher);
        manager.PasswordHasher = counting;
        var users = scope.ServiceProvider.GetRequiredService<UserService>();

        var unknown = await users.CheckPasswordAsync(ApiSessions.NewUser().Email, "not the password");
        var afterUnknown = counting.Verifications;
        var wrong = await users.CheckPasswordAsync(user.Email, "not the password");

        Assert.False(unknown.IsSuccess);
        Assert.False(wrong.IsSuccess);
        Assert.Equal(1, afterUnknown);
        Assert.Equal(2, counting.Verifications);
    }

    [Fact]
    public async Task Token_AfterManyWrongPasswords_StillIssuesToTheRightOne_NoAccountIsLocked()
    {
        var victim = ApiSessions.NewUser("Locked", "Out");
        var attacker = portal.CreateAnonymousClient();
        await attacker.RegisterAsync(victim);

        var failures = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < 15; attempt++)
        {
            failures.Add((await attacker.PostAsJsonAsync("/api/auth/token", new { email = victim.Email, password = $"guess number {attempt}" })).StatusCode);
        }

        var right = await portal.CreateAnonymousClient().PostAsJsonAsync("/api/auth/token", new { email = victim.Email, password = victim.Password });

        Assert.All(failures, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(HttpStatusCode.Created, right.StatusCode);
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

    private static async Task<string> WithoutTraceIdAsync(HttpResponseMessage response)
    {
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        problem.Remove("trace_id");
        return problem.ToJsonString();
    }

    /// <summary>The portal's hasher, counting how often a password is checked against a hash.</summary>
    private sealed class CountingHasher(IPasswordHasher<PlatformUser> inner) : IPasswordHasher<PlatformUser>
    {
        public int Verifications { get; private set; }

        public string HashPassword(PlatformUser user, string password) => inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(PlatformUser user, string hashedPassword, string providedPassword)
        {
            Verifications++;
            return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
