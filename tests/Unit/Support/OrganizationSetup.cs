using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Npgsql;

namespace Platform.Tests.Support;

/// <summary>A member added through the API: invited, registered with the invited address, accepted.</summary>
public sealed record ApiMember(HttpClient Client, TestUser User, Guid UserId);

/// <summary>An invitation as its inviter gets it: its id, and the secret its link carries.</summary>
public sealed record SentInvitation(Guid Id, Uri Link, string Token);

/// <summary>An invitation row as the database holds it; <see cref="Role"/> is as stored (e.g. "Viewer").</summary>
public sealed record StoredInvitation(Guid Id, string Email, string Role, bool Accepted);

/// <summary>Steps that organization tests share: organizations, members, invitations and organization tokens.</summary>
public static class OrganizationSetup
{
    private static readonly ConditionalWeakTable<PortalFactory, ConcurrentDictionary<Type, Lazy<Task<object>>>> Shared = new();

    /// <summary>
    /// Builds a <typeparamref name="T"/> once per portal, so once per test class, the first time a test asks.
    /// A failure is kept and reported to every test that asks again.
    /// </summary>
    public static async Task<T> SharedAsync<T>(this PortalFactory portal, Func<PortalFactory, Task<T>> create)
        where T : class
    {
        var perPortal = Shared.GetValue(portal, _ => new ConcurrentDictionary<Type, Lazy<Task<object>>>());
        var lazy = perPortal.GetOrAdd(typeof(T), _ => new Lazy<Task<object>>(async () => await create(portal)));
        return (T)await lazy.Value;
    }

    /// <summary>A client that sends the given token (a personal or an organization token).</summary>
    public static HttpClient CreateBearerClient(this PortalFactory portal, string token)
    {
        var client = portal.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static async Task<Guid> GetUserIdAsync(this HttpClient client)
    {
        var user = await (await client.GetAsync("/api/user")).ReadJsonAsync(HttpStatusCode.OK, "GET /api/user");
        return user.Id();
    }

    /// <summary>Creates an organization whose owner is the caller; answers its id.</summary>
    public static async Task<Guid> CreateOrganizationAsync(this HttpClient owner, string name, string? description = null)
    {
        var response = await owner.PostAsJsonAsync("/api/organization", new { name, description });
        return (await response.ReadJsonAsync(HttpStatusCode.Created, "POST /api/organization")).Id();
    }

    /// <summary>Invites an address; answers the invitation's id.</summary>
    public static async Task<Guid> InviteAsync(this HttpClient inviter, Guid organizationId, string email, string role) =>
        (await inviter.SendInvitationAsync(organizationId, email, role)).Id;

    /// <summary>Invites an address; answers the invitation's id, link and the link's secret.</summary>
    public static async Task<SentInvitation> SendInvitationAsync(this HttpClient inviter, Guid organizationId, string email, string role)
    {
        var response = await inviter.PostAsJsonAsync($"/api/organization/{organizationId}/inviteMember", new { email, role });
        var invitation = await response.ReadJsonAsync(HttpStatusCode.Created, "POST inviteMember");
        var link = new Uri(invitation.Text("invitation_link")!);
        return new SentInvitation(invitation.Id(), link, TokenOf(link));
    }

    /// <summary>The secret an invitation link carries in its query.</summary>
    public static string TokenOf(Uri link) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(link.Query).TryGetValue("token", out var token) && token.Count == 1
            ? token.ToString()
            : throw new InvalidOperationException($"The invitation link {link.GetLeftPart(UriPartial.Path)} carries no token.");

    /// <summary>Accepts an invitation with the given secret, as the invitee; answers the portal's answer.</summary>
    public static Task<HttpResponseMessage> PostAcceptAsync(this HttpClient invitee, Guid organizationId, Guid invitationId, string? token) =>
        invitee.PostAsJsonAsync($"/api/organization/{organizationId}/invitation/{invitationId}/accept", new { token });

    /// <summary>
    /// The organization's invitations as stored, accepted ones included. Read from the database so that checking
    /// what an action did does not depend on GET inviteMember, which the role matrix tests in rows of its own.
    /// </summary>
    public static async Task<IReadOnlyList<StoredInvitation>> StoredInvitationsAsync(this PortalFactory portal, Guid organizationId)
    {
        await using var connection = new NpgsqlConnection(portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT id, email, role, accepted_at IS NOT NULL FROM invitation WHERE organization_id = @organization ORDER BY id", connection);
        command.Parameters.AddWithValue("organization", organizationId);
        await using var reader = await command.ExecuteReaderAsync();
        var invitations = new List<StoredInvitation>();
        while (await reader.ReadAsync())
        {
            invitations.Add(new StoredInvitation(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetBoolean(3)));
        }

        return invitations;
    }

    /// <summary>The owner (or an admin) invites a new person, who signs up with that address and accepts.</summary>
    public static async Task<ApiMember> AddMemberAsync(
        this PortalFactory portal, HttpClient inviter, Guid organizationId, string role, string firstName = "Member")
    {
        var user = ApiSessions.NewUser(firstName, role.ToUpperInvariant() switch
        {
            "ADMIN" => "Admin",
            "DEVELOPER" => "Developer",
            "VIEWER" => "Viewer",
            _ => "Member",
        });
        var invitation = await inviter.SendInvitationAsync(organizationId, user.Email, role);
        var client = portal.CreateAnonymousClient();
        await (await client.RegisterAsync(user)).ExpectAsync(HttpStatusCode.Created, "register the invitee");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await client.IssueTokenAsync(user));
        await client.AcceptAsync(organizationId, invitation);
        return new ApiMember(client, user, await client.GetUserIdAsync());
    }

    /// <summary>Someone with an account joins another organization: invited there, then accepts.</summary>
    public static async Task JoinAsync(this ApiMember member, HttpClient inviter, Guid organizationId, string role)
    {
        var invitation = await inviter.SendInvitationAsync(organizationId, member.User.Email, role);
        await member.Client.AcceptAsync(organizationId, invitation);
    }

    private static async Task AcceptAsync(this HttpClient invitee, Guid organizationId, SentInvitation invitation)
    {
        var accepted = await invitee.PostAcceptAsync(organizationId, invitation.Id, invitation.Token);
        await accepted.ExpectAsync(HttpStatusCode.NoContent, "accept the invitation");
    }

    /// <summary>Creates an organization API token; answers its id and its secret.</summary>
    public static async Task<(Guid Id, string Token)> CreateOrganizationTokenAsync(
        this HttpClient manager, Guid organizationId, string role, string? name = null)
    {
        var response = await manager.PostAsJsonAsync(
            $"/api/organization/{organizationId}/apiToken",
            new { name = name ?? $"{role.ToLowerInvariant()} token {Guid.NewGuid():N}", role, expires_at = (DateTimeOffset?)null });
        var token = await response.ReadJsonAsync(HttpStatusCode.Created, "POST apiToken");
        return (token.Id(), token["token"]!.GetValue<string>());
    }

    /// <summary>The <c>results</c> of a list endpoint, which must answer 200.</summary>
    public static async Task<JsonArray> GetResultsAsync(this HttpClient client, string path)
    {
        var list = await (await client.GetAsync(path)).ReadJsonAsync(HttpStatusCode.OK, $"GET {path}");
        return list["results"]!.AsArray();
    }

    public static async Task<JsonObject> GetObjectAsync(this HttpClient client, string path) =>
        await (await client.GetAsync(path)).ReadJsonAsync(HttpStatusCode.OK, $"GET {path}");

    /// <summary>The member list as "user id → role".</summary>
    public static async Task<Dictionary<Guid, string>> GetMemberRolesAsync(this HttpClient client, Guid organizationId) =>
        (await client.GetResultsAsync($"/api/organization/{organizationId}/member"))
            .ToDictionary(m => m!.AsObject().Id(), m => m!["role"]!.GetValue<string>());

    public static Guid Id(this JsonObject json) => Guid.Parse(json["id"]!.GetValue<string>());

    public static string? Text(this JsonNode? json, string property) => json?[property]?.GetValue<string>();

    /// <summary>Checks the status, saying which setup step failed and what the portal answered otherwise.</summary>
    public static async Task ExpectAsync(this HttpResponseMessage response, HttpStatusCode expected, string step)
    {
        if (response.StatusCode != expected)
        {
            var body = await response.Content.ReadAsStringAsync();
            throw new InvalidOperationException($"{step}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        }
    }

    public static async Task<JsonObject> ReadJsonAsync(this HttpResponseMessage response, HttpStatusCode expected, string step)
    {
        await response.ExpectAsync(expected, step);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }
}
