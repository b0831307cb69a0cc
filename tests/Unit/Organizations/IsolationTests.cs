using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Platform.Tests.Support;

namespace Platform.Tests.Organizations;

/// <summary>
/// Tenant isolation: organization A's owner (personal token) and A's ADMIN organization token call every
/// organization-scoped endpoint with ids that belong to organization B. Each call must answer 404 problem
/// details, exactly like an id that does not exist, say nothing of B, and change nothing in B.
/// </summary>
public sealed class IsolationTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private const string AOwner = "A's owner";
    private const string AAdminToken = "A's ADMIN token";

    /// <summary>
    /// Each endpoint under /api/, written with the ids it is called with (short, so that test names show them
    /// whole): {A} and {B} are the organizations, {B member} is a member of B (a DEVELOPER), {B inv} a pending
    /// invitation of B, {B token} an organization token of B, {B personal token} a personal token of B's owner,
    /// {A owner} the user id of A's owner.
    /// </summary>
    private static readonly Dictionary<string, Func<Tenants, object?>> Endpoints = new()
    {
        ["GET organization/{B}"] = _ => null,
        ["PUT organization/{B}"] = _ => new { name = "Taken over by A", description = "by A" },
        ["DELETE organization/{B}"] = _ => null,
        ["GET organization/{B}/member"] = _ => null,
        ["PUT organization/{B}/member/{B member}"] = _ => new { role = "ADMIN" },
        ["DELETE organization/{B}/member/{B member}"] = _ => null,
        ["DELETE organization/{B}/member/{A owner}"] = _ => null,
        ["POST organization/{B}/transferOwnership"] = t => new { user_id = t.AOwnerId },
        ["GET organization/{B}/inviteMember"] = _ => null,
        ["POST organization/{B}/inviteMember"] = _ => new { email = ApiSessions.NewUser("Intruder").Email, role = "ADMIN" },
        ["DELETE organization/{B}/inviteMember/{B inv}"] = _ => null,
        ["POST organization/{B}/invitation/{B inv}/accept"] = _ => null,
        ["GET organization/{B}/apiToken"] = _ => null,
        ["POST organization/{B}/apiToken"] = _ => new { name = "stolen", role = "ADMIN", expires_at = (DateTimeOffset?)null },
        ["DELETE apiToken/{B token}"] = _ => null,
        ["DELETE apiToken/{B personal token}"] = _ => null,

        // B's ids under A's organization, where the caller has every right.
        ["PUT organization/{A}/member/{B member}"] = _ => new { role = "ADMIN" },
        ["DELETE organization/{A}/member/{B member}"] = _ => null,
        ["DELETE organization/{A}/inviteMember/{B inv}"] = _ => null,
        ["POST organization/{A}/invitation/{B inv}/accept"] = _ => null,
    };

    public static TheoryData<string, string> Rows
    {
        get
        {
            var rows = new TheoryData<string, string>();
            foreach (var caller in new[] { AOwner, AAdminToken })
            {
                foreach (var endpoint in Endpoints.Keys)
                {
                    rows.Add(caller, endpoint);
                }
            }

            return rows;
        }
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task EndpointWithBsIds_CalledFromA_Returns404AndLeavesBUnchanged(string caller, string endpoint)
    {
        var tenants = await TenantsAsync();
        var before = await tenants.SnapshotOfBAsync();

        var response = await CallAsync(tenants, caller, endpoint);

        var body = await response.Content.ReadAsStringAsync();
        var after = await tenants.SnapshotOfBAsync();
        var what = $"{endpoint} as {caller}";
        Assert.Multiple(
            () => Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{what}: expected 404, got {(int)response.StatusCode}: {body}"),
            () => Assert.True(
                response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                    && JsonNode.Parse(body)?["status"]?.GetValue<int>() == (int)response.StatusCode,
                $"{what}: expected problem details, got {response.Content.Headers.ContentType}: {body}"),
            () => Assert.True(
                !tenants.WordsOfB.Any(word => body.Contains(word, StringComparison.OrdinalIgnoreCase)),
                $"{what} told something of B: {body}"),
            () => Assert.True(before == after, $"{what} changed B.\nBefore:\n{before}\nAfter:\n{after}"));
    }

    [Fact]
    public async Task EveryEndpointCalledFromA_LeavesBsMemberInvitationAndTokenInPlace()
    {
        var tenants = await TenantsAsync();
        foreach (var (caller, endpoint) in Rows.Select(r => ((string)r[0], (string)r[1])))
        {
            await CallAsync(tenants, caller, endpoint);
        }

        var organization = await tenants.BOwner.GetObjectAsync($"/api/organization/{tenants.B}");
        Assert.Equal(tenants.BName, organization.Text("name"));
        Assert.Equal(tenants.BOwnerId.ToString(), organization.Text("owner_id"));
        var members = await tenants.BOwner.GetMemberRolesAsync(tenants.B);
        Assert.Equal(
            new Dictionary<Guid, string> { [tenants.BOwnerId] = "OWNER", [tenants.BMember.UserId] = "DEVELOPER" },
            members);
        var tokens = await tenants.BOwner.GetResultsAsync($"/api/organization/{tenants.B}/apiToken");
        Assert.Equal(tenants.BToken, Assert.Single(tokens)!.AsObject().Id());
        Assert.Equal(HttpStatusCode.OK, (await tenants.BPersonal.GetAsync("/api/user")).StatusCode);
        var invitations = await tenants.BOwner.GetResultsAsync($"/api/organization/{tenants.B}/inviteMember");
        var invitation = Assert.Single(invitations);
        Assert.Equal(tenants.BInvitation, invitation!.AsObject().Id());
        Assert.Equal("PENDING", invitation.Text("invitation_status"));
    }

    [Fact]
    public async Task ListOrganizations_FromA_ShowsOnlyA()
    {
        var tenants = await TenantsAsync();

        var asOwner = await tenants.AOwner.GetResultsAsync("/api/organization");
        var asToken = await tenants.AAdminToken.GetResultsAsync("/api/organization");

        Assert.Equal([tenants.A], asOwner.Select(o => o!.AsObject().Id()));
        Assert.Equal([tenants.A], asToken.Select(o => o!.AsObject().Id()));
        Assert.DoesNotContain(tenants.BName, asOwner.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(tenants.BName, asToken.ToJsonString(), StringComparison.Ordinal);
    }

    private Task<Tenants> TenantsAsync() => portal.SharedAsync(Tenants.CreateAsync);

    private static async Task<HttpResponseMessage> CallAsync(Tenants tenants, string caller, string endpoint)
    {
        var space = endpoint.IndexOf(' ', StringComparison.Ordinal);
        var method = new HttpMethod(endpoint[..space]);
        var path = "/api/" + endpoint[(space + 1)..]
            .Replace("{A}", tenants.A.ToString(), StringComparison.Ordinal)
            .Replace("{B}", tenants.B.ToString(), StringComparison.Ordinal)
            .Replace("{B member}", tenants.BMember.UserId.ToString(), StringComparison.Ordinal)
            .Replace("{B inv}", tenants.BInvitation.ToString(), StringComparison.Ordinal)
            .Replace("{B token}", tenants.BToken.ToString(), StringComparison.Ordinal)
            .Replace("{B personal token}", tenants.BPersonalToken.ToString(), StringComparison.Ordinal)
            .Replace("{A owner}", tenants.AOwnerId.ToString(), StringComparison.Ordinal);
        using var request = new HttpRequestMessage(method, path);
        if (Endpoints[endpoint](tenants) is { } body)
        {
            request.Content = JsonContent.Create(body);
        }

        var client = caller == AOwner ? tenants.AOwner : tenants.AAdminToken;
        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>Organization A with its owner and an ADMIN token; organization B with one of each thing an id can name.</summary>
    private sealed class Tenants
    {
        public required Guid A { get; init; }

        public required HttpClient AOwner { get; init; }

        public required Guid AOwnerId { get; init; }

        public required HttpClient AAdminToken { get; init; }

        public required Guid B { get; init; }

        public required string BName { get; init; }

        public required HttpClient BOwner { get; init; }

        public required Guid BOwnerId { get; init; }

        public required ApiMember BMember { get; init; }

        public required Guid BInvitation { get; init; }

        public required string BInvitedEmail { get; init; }

        public required Guid BToken { get; init; }

        /// <summary>A second personal token of B's owner, and a client that sends it.</summary>
        public required Guid BPersonalToken { get; init; }

        public required HttpClient BPersonal { get; init; }

        public required string ConnectionString { get; init; }

        /// <summary>What no answer to A may contain.</summary>
        public IEnumerable<string> WordsOfB => [BName, BMember.User.Email, BInvitedEmail];

        public static async Task<Tenants> CreateAsync(PortalFactory portal)
        {
            var (aOwner, _) = await portal.CreateUserClientAsync();
            var a = await aOwner.CreateOrganizationAsync($"Alpha {Guid.NewGuid():N}");
            var (_, aAdminToken) = await aOwner.CreateOrganizationTokenAsync(a, "ADMIN");

            var (bOwner, bOwnerUser) = await portal.CreateUserClientAsync();
            var bName = $"Bravo {Guid.NewGuid():N}";
            var b = await bOwner.CreateOrganizationAsync(bName, "The other tenant");
            var bMember = await portal.AddMemberAsync(bOwner, b, "DEVELOPER");
            var bInvitedEmail = ApiSessions.NewUser("Invitee").Email;
            var bInvitation = await bOwner.InviteAsync(b, bInvitedEmail, "VIEWER");
            var (bToken, _) = await bOwner.CreateOrganizationTokenAsync(b, "VIEWER");
            var personal = await (await bOwner.PostAsJsonAsync(
                "/api/auth/token", new { email = bOwnerUser.Email, password = bOwnerUser.Password, name = "second" }))
                .ReadJsonAsync(HttpStatusCode.Created, "POST /api/auth/token");

            return new Tenants
            {
                A = a,
                AOwner = aOwner,
                AOwnerId = await aOwner.GetUserIdAsync(),
                AAdminToken = portal.CreateBearerClient(aAdminToken),
                B = b,
                BName = bName,
                BOwner = bOwner,
                BOwnerId = await bOwner.GetUserIdAsync(),
                BMember = bMember,
                BInvitation = bInvitation,
                BInvitedEmail = bInvitedEmail,
                BToken = bToken,
                BPersonalToken = personal.Id(),
                BPersonal = portal.CreateBearerClient(personal["token"]!.GetValue<string>()),
                ConnectionString = portal.ConnectionString,
            };
        }

        /// <summary>
        /// All that B holds, read from the database: the organization, its members and roles, its invitations, its
        /// tokens and its owner's personal tokens. Read there so that it sees more than the API shows, and so that
        /// a fault in one list endpoint does not fail every row.
        /// </summary>
        public async Task<string> SnapshotOfBAsync()
        {
            const string Sql = """
                SELECT 'organization ' || name || ' | ' || coalesce(description, '') || ' | ' || owner_id || ' | ' || updated_at
                    FROM organization WHERE id = @b
                UNION ALL SELECT 'member ' || user_id || ' ' || role || ' ' || updated_at FROM organization_member WHERE organization_id = @b
                UNION ALL SELECT 'invitation ' || id || ' ' || email || ' ' || role || ' ' || coalesce(accepted_at::text, 'pending')
                    FROM invitation WHERE organization_id = @b
                UNION ALL SELECT 'token ' || id || ' ' || name || ' ' || coalesce(role, '') || ' ' || coalesce(expires_at::text, '')
                    FROM api_token WHERE organization_id = @b OR user_id = @owner
                ORDER BY 1
                """;
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(Sql, connection);
            command.Parameters.AddWithValue("b", B);
            command.Parameters.AddWithValue("owner", BOwnerId);
            await using var reader = await command.ExecuteReaderAsync();
            var lines = new List<string>();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }

            return string.Join("\n", lines);
        }
    }
}
