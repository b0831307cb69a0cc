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
    /// {A owner} the user id of A's owner; {B project}, {B cluster} (B's default cluster), {B env}, {B app},
    /// {B db} and {B event} are B's catalogue, {A project} and {A env} A's.
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
        ["GET organization/{B}/project"] = _ => null,
        ["POST organization/{B}/project"] = _ => new { name = "Planted by A", description = "by A" },
        ["GET project/{B project}"] = _ => null,
        ["PUT project/{B project}"] = _ => new { name = "Taken over by A", description = "by A" },
        ["DELETE project/{B project}"] = _ => null,
        ["GET organization/{B}/cluster"] = _ => null,
        ["GET cluster/{B cluster}"] = _ => null,
        ["GET project/{B project}/environment"] = _ => null,
        ["GET project/{B project}/environment?archived=true"] = _ => null,
        ["POST project/{B project}/environment"] = _ => new { name = "planted", mode = "DEVELOPMENT" },
        ["GET environment/{B env}"] = _ => null,
        ["PUT environment/{B env}"] = _ => new { name = "taken-over", mode = "PRODUCTION" },
        ["DELETE environment/{B env}"] = _ => null,
        ["POST environment/{B env}/archive"] = _ => null,
        ["POST environment/{B env}/unarchive"] = _ => null,
        // Copying B's services into A's project would hand A B's settings.
        ["POST environment/{B env}/clone"] = t => new { name = $"stolen-{Guid.NewGuid():N}", mode = "DEVELOPMENT", project_id = t.AProject },
        ["GET environment/{B env}/application"] = _ => null,
        ["POST environment/{B env}/application"] = _ => CatalogueSteps.ApplicationBody("planted"),
        ["GET application/{B app}"] = _ => null,
        ["PUT application/{B app}"] = _ => new { port = 6666, start_command = "./take-over.sh" },
        ["DELETE application/{B app}"] = _ => null,
        ["GET environment/{B env}/database"] = _ => null,
        ["POST environment/{B env}/database"] = _ => new { name = "planted", version = "15" },
        ["GET database/{B db}"] = _ => null,
        ["PUT database/{B db}"] = _ => new { storage = 666 },
        ["DELETE database/{B db}"] = _ => null,
        ["GET environment/{B env}/event"] = _ => null,
        ["GET environment/{B env}/event?lastId={B event}"] = _ => null,
        ["GET application/{B app}/event"] = _ => null,
        ["GET application/{B app}/currentScale"] = _ => null,
        ["GET application/{B app}/currentInstance"] = _ => null,
        ["GET application/{B app}/metric/cpu?lastDays=30"] = _ => null,
        ["GET database/{B db}/event"] = _ => null,

        // B's ids under A's organization, where the caller has every right.
        ["PUT organization/{A}/member/{B member}"] = _ => new { role = "ADMIN" },
        ["DELETE organization/{A}/member/{B member}"] = _ => null,
        ["DELETE organization/{A}/inviteMember/{B inv}"] = _ => null,
        ["POST organization/{A}/invitation/{B inv}/accept"] = _ => null,
        ["POST environment/{A env}/clone"] = t => new { name = $"into-b-{Guid.NewGuid():N}", mode = "DEVELOPMENT", project_id = t.BProject },
    };

    /// <summary>
    /// Calls from A that name one of B's ids in the body or the query, where the id is a parameter of the call
    /// rather than what it acts on: each must answer exactly as for an id that does not exist (here a 400 that
    /// names the field), so that it tells nothing of B. The function answers the method, the path and the body.
    /// </summary>
    private static readonly Dictionary<string, Func<Tenants, Guid, (HttpMethod Method, string Path, object? Body)>> References = new()
    {
        ["POST project/{A project}/environment on {B cluster}"] = (t, id) =>
            (HttpMethod.Post, $"/api/project/{t.AProject}/environment", new { name = $"on-b-{Guid.NewGuid():N}", mode = "DEVELOPMENT", cluster_id = id }),
        ["PUT environment/{A env} onto {B cluster}"] = (t, id) => (HttpMethod.Put, $"/api/environment/{t.AEnvironment}", new { cluster_id = id }),
        ["POST environment/{A env}/clone onto {B cluster}"] = (t, id) =>
            (HttpMethod.Post, $"/api/environment/{t.AEnvironment}/clone", new { name = $"clone-{Guid.NewGuid():N}", cluster_id = id }),
        ["GET environment/{A env}/event?lastId={B event}"] = (t, id) => (HttpMethod.Get, $"/api/environment/{t.AEnvironment}/event?lastId={id}", null),
        ["GET application/{A app}/event?lastId={B event}"] = (t, id) => (HttpMethod.Get, $"/api/application/{t.AApplication}/event?lastId={id}", null),
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

    public static TheoryData<string, string> ReferenceRows
    {
        get
        {
            var rows = new TheoryData<string, string>();
            foreach (var caller in new[] { AOwner, AAdminToken })
            {
                foreach (var call in References.Keys)
                {
                    rows.Add(caller, call);
                }
            }

            return rows;
        }
    }

    [Theory]
    [MemberData(nameof(ReferenceRows))]
    public async Task BsIdInBodyOrQuery_CalledFromA_AnswersAsForAnUnknownIdAndLeavesBUnchanged(string caller, string call)
    {
        var tenants = await TenantsAsync();
        var client = caller == AOwner ? tenants.AOwner : tenants.AAdminToken;
        var bsId = call.EndsWith("{B event}", StringComparison.Ordinal) ? tenants.BEvent : tenants.BCluster;
        var aEnvironmentBefore = await tenants.AOwner.GetObjectAsync($"/api/environment/{tenants.AEnvironment}");
        var before = await tenants.SnapshotOfBAsync();

        var (withB, withBBody) = await SendAsync(client, References[call](tenants, bsId));
        var (withUnknown, withUnknownBody) = await SendAsync(client, References[call](tenants, Guid.CreateVersion7()));

        var after = await tenants.SnapshotOfBAsync();
        var what = $"{call} as {caller}";
        Assert.Multiple(
            () => Assert.True(
                withB.StatusCode == withUnknown.StatusCode && (int)withB.StatusCode >= 400,
                $"{what}: answered {(int)withB.StatusCode} with B's id, {(int)withUnknown.StatusCode} with an unknown one: {withBBody}"),
            () => Assert.True(
                JsonNode.DeepEquals(WithoutTrace(withBBody), WithoutTrace(withUnknownBody)),
                $"{what}: with B's id answered\n{withBBody}\nwith an unknown one\n{withUnknownBody}"),
            () => Assert.True(
                !tenants.WordsOfB.Any(word => withBBody.Contains(word, StringComparison.OrdinalIgnoreCase)),
                $"{what} told something of B: {withBBody}"),
            () => Assert.True(before == after, $"{what} changed B.\nBefore:\n{before}\nAfter:\n{after}"));
        var aEnvironmentAfter = await tenants.AOwner.GetObjectAsync($"/api/environment/{tenants.AEnvironment}");
        Assert.Equal(aEnvironmentBefore.Text("cluster_id"), aEnvironmentAfter.Text("cluster_id"));
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

        var projects = await tenants.BOwner.GetResultsAsync($"/api/organization/{tenants.B}/project");
        Assert.Equal([(tenants.BProject, tenants.BProjectName)], projects.Select(p => (p!.AsObject().Id(), p.Text("name"))));
        var environments = await tenants.BOwner.GetResultsAsync($"/api/project/{tenants.BProject}/environment");
        Assert.Equal([(tenants.BEnvironment, tenants.BEnvironmentName)], environments.Select(e => (e!.AsObject().Id(), e.Text("name"))));
        Assert.Empty(await tenants.BOwner.GetResultsAsync($"/api/project/{tenants.BProject}/environment?archived=true"));
        Assert.Equal("DEVELOPMENT", environments[0].Text("mode"));
        var application = await tenants.BOwner.GetObjectAsync($"/api/application/{tenants.BApplication}");
        Assert.Equal(tenants.BApplicationName, application.Text("name"));
        Assert.Equal(3000, application["port"]!.GetValue<int>());
        Assert.Single(await tenants.BOwner.GetResultsAsync($"/api/environment/{tenants.BEnvironment}/application"));
        var database = await tenants.BOwner.GetObjectAsync($"/api/database/{tenants.BDatabase}");
        Assert.Equal(tenants.BDatabaseName, database.Text("name"));
        Assert.Equal(10, database["storage"]!.GetValue<int>());
        Assert.Single(await tenants.BOwner.GetResultsAsync($"/api/environment/{tenants.BEnvironment}/database"));
        var clusters = await tenants.BOwner.GetResultsAsync($"/api/organization/{tenants.B}/cluster");
        Assert.Equal([tenants.BCluster], clusters.Select(c => c!.AsObject().Id()));
    }

    [Fact]
    public async Task SnapshotOfB_CoversEverythingTheRowsCouldChange()
    {
        var tenants = await TenantsAsync();

        var snapshot = (await tenants.SnapshotOfBAsync()).Split('\n');

        foreach (var kind in new[] { "organization", "member", "invitation", "token", "project", "cluster", "environment", "application", "database", "event" })
        {
            Assert.Contains(snapshot, line => line.StartsWith(kind + " ", StringComparison.Ordinal));
        }

        Assert.Contains(snapshot, line => line.StartsWith("application ", StringComparison.Ordinal) && line.Contains("\"port\": 3000", StringComparison.Ordinal));
        Assert.Equal(3, snapshot.Count(line => line.StartsWith("event ", StringComparison.Ordinal)));
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

    private static async Task<(HttpResponseMessage Response, string Body)> SendAsync(HttpClient client, (HttpMethod Method, string Path, object? Body) call)
    {
        using var request = new HttpRequestMessage(call.Method, call.Path);
        if (call.Body is { } body)
        {
            request.Content = JsonContent.Create(body);
        }

        var response = await client.SendAsync(request);
        return (response, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The answer without its trace id, which differs on every call.</summary>
    private static JsonNode? WithoutTrace(string body)
    {
        var json = JsonNode.Parse(body);
        if (json is JsonObject problem)
        {
            problem.Remove("trace_id");
        }

        return json;
    }

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
            .Replace("{A owner}", tenants.AOwnerId.ToString(), StringComparison.Ordinal)
            .Replace("{A project}", tenants.AProject.ToString(), StringComparison.Ordinal)
            .Replace("{A env}", tenants.AEnvironment.ToString(), StringComparison.Ordinal)
            .Replace("{B project}", tenants.BProject.ToString(), StringComparison.Ordinal)
            .Replace("{B cluster}", tenants.BCluster.ToString(), StringComparison.Ordinal)
            .Replace("{B env}", tenants.BEnvironment.ToString(), StringComparison.Ordinal)
            .Replace("{B app}", tenants.BApplication.ToString(), StringComparison.Ordinal)
            .Replace("{B db}", tenants.BDatabase.ToString(), StringComparison.Ordinal)
            .Replace("{B event}", tenants.BEvent.ToString(), StringComparison.Ordinal);
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

    /// <summary>
    /// Organization A with its owner, an ADMIN token, a project, an environment and an application; organization
    /// B with one of each thing an id can name.
    /// </summary>
    private sealed class Tenants
    {
        public required Guid A { get; init; }

        public required Guid AProject { get; init; }

        public required Guid AEnvironment { get; init; }

        public required Guid AApplication { get; init; }

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

        public required Guid BProject { get; init; }

        public required string BProjectName { get; init; }

        public required Guid BCluster { get; init; }

        public required Guid BEnvironment { get; init; }

        public required string BEnvironmentName { get; init; }

        public required Guid BApplication { get; init; }

        public required string BApplicationName { get; init; }

        public required Guid BDatabase { get; init; }

        public required string BDatabaseName { get; init; }

        /// <summary>The newest event of B's environment.</summary>
        public required Guid BEvent { get; init; }

        public required string ConnectionString { get; init; }

        /// <summary>What no answer to A may contain.</summary>
        public IEnumerable<string> WordsOfB =>
            [BName, BMember.User.Email, BInvitedEmail, BProjectName, BEnvironmentName, BApplicationName, BDatabaseName];

        public static async Task<Tenants> CreateAsync(PortalFactory portal)
        {
            var (aOwner, _) = await portal.CreateUserClientAsync();
            var a = await aOwner.CreateOrganizationAsync($"Alpha {Guid.NewGuid():N}");
            var (_, aAdminToken) = await aOwner.CreateOrganizationTokenAsync(a, "ADMIN");
            var aProject = await aOwner.CreateProjectAsync(a, "alpha-project");
            var aEnvironment = await aOwner.CreateEnvironmentAsync(aProject.Id(), "alpha-env");
            var aApplication = await aOwner.CreateApplicationAsync(aEnvironment.Id(), "alpha-app");

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
            var bProjectName = $"bravo-project-{Guid.NewGuid():N}";
            var bProject = await bOwner.CreateProjectAsync(b, bProjectName, "B's project");
            var bEnvironmentName = $"bravo-env-{Guid.NewGuid():N}";
            var bEnvironment = await bOwner.CreateEnvironmentAsync(bProject.Id(), bEnvironmentName);
            var bApplicationName = $"bravo-app-{Guid.NewGuid():N}";
            var bApplicationBody = CatalogueSteps.ApplicationBody(bApplicationName);
            bApplicationBody["port"] = 3000;
            var bApplication = await bOwner.CreateApplicationAsync(bEnvironment.Id(), bApplicationName, bApplicationBody);
            var bDatabaseName = $"bravo-db-{Guid.NewGuid():N}";
            var bDatabase = await bOwner.CreateDatabaseAsync(bEnvironment.Id(), bDatabaseName, storage: 10);
            var bEvents = await portal.StoredEventIdsAsync(bEnvironment.Id());

            return new Tenants
            {
                A = a,
                AProject = aProject.Id(),
                AEnvironment = aEnvironment.Id(),
                AApplication = aApplication.Id(),
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
                BProject = bProject.Id(),
                BProjectName = bProjectName,
                BCluster = (await bOwner.DefaultClusterAsync(b)).Id(),
                BEnvironment = bEnvironment.Id(),
                BEnvironmentName = bEnvironmentName,
                BApplication = bApplication.Id(),
                BApplicationName = bApplicationName,
                BDatabase = bDatabase.Id(),
                BDatabaseName = bDatabaseName,
                BEvent = bEvents[^1],
                ConnectionString = portal.ConnectionString,
            };
        }

        /// <summary>
        /// All that B holds, read from the database: the organization, its members and roles, its invitations, its
        /// tokens and its owner's personal tokens; its projects, clusters, environments (and any environment on
        /// one of its clusters), applications, databases and events (and any event about its environments).
        /// Read there so that it sees more than the API shows, and so that a fault in one list endpoint does not
        /// fail every row.
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
                UNION ALL SELECT 'project ' || id || ' ' || name || ' | ' || coalesce(description, '') || ' | ' || updated_at
                    FROM project WHERE organization_id = @b
                UNION ALL SELECT 'cluster ' || id || ' ' || name || ' ' || kind || ' ' || is_default || ' ' || updated_at
                    FROM cluster WHERE organization_id = @b
                UNION ALL SELECT 'environment ' || e.id || ' ' || e.project_id || ' ' || e.name || ' ' || e.mode || ' ' || e.archived
                        || ' ' || e.cluster_id || ' ' || e.updated_at
                    FROM environment e
                    WHERE e.project_id IN (SELECT id FROM project WHERE organization_id = @b)
                        OR e.cluster_id IN (SELECT id FROM cluster WHERE organization_id = @b)
                UNION ALL SELECT 'application ' || a.id || ' ' || a.environment_id || ' ' || a.settings::text || ' ' || a.state || ' ' || a.updated_at
                    FROM application a JOIN environment e ON e.id = a.environment_id JOIN project p ON p.id = e.project_id
                    WHERE p.organization_id = @b
                UNION ALL SELECT 'database ' || d.id || ' ' || d.environment_id || ' ' || d.name || ' ' || d.version || ' ' || d.storage
                        || ' ' || d.state || ' ' || d.updated_at
                    FROM _database d JOIN environment e ON e.id = d.environment_id JOIN project p ON p.id = e.project_id
                    WHERE p.organization_id = @b
                UNION ALL SELECT 'event ' || id || ' ' || state || ' ' || service_name
                    FROM event
                    WHERE organization_id = @b
                        OR environment_id IN (SELECT e.id FROM environment e JOIN project p ON p.id = e.project_id WHERE p.organization_id = @b)
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
