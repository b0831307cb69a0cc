using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Idempotency;
using Platform.Portal.Idempotency;
using Platform.Tests.Support;

namespace Platform.Tests.Idempotency;

/// <summary>
/// Idempotency-Key on API writes, through the real portal and PostgreSQL: a repeat is answered from the kept answer and
/// changes nothing; a key is one user's, for one request, for 24 hours.
/// </summary>
public sealed class IdempotencyTests(IdempotencyPortal fixture) : IClassFixture<IdempotencyPortal>
{
    private PortalFactory Portal => fixture.Portal;

    private static string NewKey() => $"key-{Guid.NewGuid()}";

    [Fact]
    public async Task RepeatedDeploy_WithTheSameKey_QueuesOneDeployment_AndReplaysItsId()
    {
        var catalogue = await Portal.SharedAsync(p => Catalogue.CreateAsync(p));
        var key = NewKey();
        var path = $"/api/application/{catalogue.ApplicationId}/deploy";
        var before = await CountDeploymentsAsync(catalogue.EnvironmentId);

        var first = await IdempotencyPortal.SendAsync(catalogue.Owner, HttpMethod.Post, path, null, key);
        var again = await IdempotencyPortal.SendAsync(catalogue.Owner, HttpMethod.Post, path, null, key);

        var firstBody = await first.ReadJsonAsync(HttpStatusCode.Accepted, "first deploy");
        var againBody = await again.ReadJsonAsync(HttpStatusCode.Accepted, "repeated deploy");
        Assert.Equal(firstBody.Id(), againBody.Id());
        Assert.False(first.Headers.Contains(IdempotencyMiddleware.ReplayedHeader));
        Assert.Equal(["true"], again.Headers.GetValues(IdempotencyMiddleware.ReplayedHeader));
        Assert.Equal(before + 1, await CountDeploymentsAsync(catalogue.EnvironmentId));
    }

    [Fact]
    public async Task SameKey_WithAnotherBody_Answers422_AndCreatesNothing()
    {
        var (owner, _) = await Portal.CreateUserClientAsync();
        var key = NewKey();
        await (await IdempotencyPortal.SendAsync(owner, HttpMethod.Post, "/api/organization", new { name = $"first {CatalogueSteps.Unique()}" }, key))
            .ExpectAsync(HttpStatusCode.Created, "first create");

        var other = await IdempotencyPortal.SendAsync(owner, HttpMethod.Post, "/api/organization", new { name = $"second {CatalogueSteps.Unique()}" }, key);

        var problem = await other.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "same key, another body");
        Assert.Contains("Idempotency-Key", problem.Text("detail"), StringComparison.Ordinal);
        Assert.Equal(1, await CountOwnedOrganizationsAsync(await owner.GetUserIdAsync()));
    }

    [Fact]
    public async Task SameKey_ByAnotherUser_RunsIndependently()
    {
        var (first, _) = await Portal.CreateUserClientAsync();
        var (second, _) = await Portal.CreateUserClientAsync();
        var key = NewKey();
        var body = new { name = $"shared {CatalogueSteps.Unique()}" };

        var mine = await IdempotencyPortal.SendAsync(first, HttpMethod.Post, "/api/organization", body, key);
        var theirs = await IdempotencyPortal.SendAsync(second, HttpMethod.Post, "/api/organization", body, key);

        var mineBody = await mine.ReadJsonAsync(HttpStatusCode.Created, "first user's create");
        var theirsBody = await theirs.ReadJsonAsync(HttpStatusCode.Created, "second user's create");
        Assert.NotEqual(mineBody.Id(), theirsBody.Id());
        Assert.False(theirs.Headers.Contains(IdempotencyMiddleware.ReplayedHeader));
        Assert.Equal(1, await CountOwnedOrganizationsAsync(await second.GetUserIdAsync()));
    }

    [Fact]
    public async Task RepeatedCreate_MakesOneRow_AndReplaysStatusLocationAndBody()
    {
        var (owner, _) = await Portal.CreateUserClientAsync();
        var organization = await owner.CreateOrganizationAsync($"org {CatalogueSteps.Unique()}");
        var key = NewKey();
        var path = $"/api/organization/{organization}/project";

        var first = await IdempotencyPortal.SendAsync(owner, HttpMethod.Post, path, new { name = "shop" }, key);
        var again = await IdempotencyPortal.SendAsync(owner, HttpMethod.Post, path, new { name = "shop" }, key);

        await first.ExpectAsync(HttpStatusCode.Created, "first create");
        await again.ExpectAsync(HttpStatusCode.Created, "repeated create");
        Assert.Equal(await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        Assert.Equal(first.Content.Headers.ContentType, again.Content.Headers.ContentType);
        Assert.Equal(1, await fixture.CountAsync("SELECT count(*) FROM project WHERE organization_id = @o", ("o", organization)));
    }

    [Fact]
    public async Task RepeatedInvite_SendsOneInvitation()
    {
        var (owner, _) = await Portal.CreateUserClientAsync();
        var organization = await owner.CreateOrganizationAsync($"org {CatalogueSteps.Unique()}");
        var email = $"invitee.{Guid.NewGuid():N}@example.com";
        var key = NewKey();
        var path = $"/api/organization/{organization}/inviteMember";

        var first = await IdempotencyPortal.SendAsync(owner, HttpMethod.Post, path, new { email, role = "VIEWER" }, key);
        var again = await IdempotencyPortal.SendAsync(owner, HttpMethod.Post, path, new { email, role = "VIEWER" }, key);

        Assert.Equal((await first.ReadJsonAsync(HttpStatusCode.Created, "invite")).Id(), (await again.ReadJsonAsync(HttpStatusCode.Created, "repeated invite")).Id());
        Assert.Single(await Portal.StoredInvitationsAsync(organization));
        Assert.NotNull(await Portal.WaitForMailAsync(mail => mail.Contains(email, StringComparison.Ordinal)));
        Assert.Single(Directory.GetFiles(Path.Combine(Portal.DataDirectory, "mail"), "*.eml"), file => File.ReadAllText(file).Contains(email, StringComparison.Ordinal));
    }

    [Fact]
    public async Task NewKey_BeyondTheUsersDailyCap_Answers429AndRunsNothing_WhileAHeldKeyStillReplays()
    {
        var (owner, _) = await Portal.CreateUserClientAsync();
        var held = NewKey();
        var body = new { name = $"capped {CatalogueSteps.Unique()}" };
        await (await IdempotencyPortal.SendAsync(owner, HttpMethod.Post, "/api/organization", body, held)).ExpectAsync(HttpStatusCode.Created, "create with a held key");
        var userId = await owner.GetUserIdAsync();
        // The rest of the day's keys, as if sent: one short of the cap.
        await fixture.CountAsync(
            "WITH made AS (INSERT INTO idempotency_key (user_id, key, fingerprint, created_at) " +
            "SELECT @u, 'filler-' || n, 'x', now() FROM generate_series(2, @cap) AS n RETURNING 1) SELECT count(*) FROM made",
            ("u", userId), ("cap", IdempotencyService.MaxKeysPerUser));

        var refused = await IdempotencyPortal.SendAsync(owner, HttpMethod.Post, "/api/organization", new { name = $"one too many {CatalogueSteps.Unique()}" }, NewKey());
        var replayed = await IdempotencyPortal.SendAsync(owner, HttpMethod.Post, "/api/organization", body, held);

        await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests, "a key beyond the cap");
        await replayed.ExpectAsync(HttpStatusCode.Created, "the held key's repeat");
        Assert.True(replayed.Headers.Contains(IdempotencyMiddleware.ReplayedHeader));
        Assert.Equal(1, await CountOwnedOrganizationsAsync(userId));
    }

    [Fact]
    public async Task Key_Past24Hours_RunsAgain()
    {
        var (owner, _) = await Portal.CreateUserClientAsync();
        var key = NewKey();
        var body = new { name = $"daily {CatalogueSteps.Unique()}" };
        var first = await IdempotencyPortal.SendAsync(owner, HttpMethod.Post, "/api/organization", body, key);
        await first.ExpectAsync(HttpStatusCode.Created, "first create");

        fixture.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        var later = await IdempotencyPortal.SendAsync(owner, HttpMethod.Post, "/api/organization", body, key);

        await later.ExpectAsync(HttpStatusCode.Created, "create a day later");
        Assert.False(later.Headers.Contains(IdempotencyMiddleware.ReplayedHeader));
        Assert.Equal(2, await CountOwnedOrganizationsAsync(await owner.GetUserIdAsync()));
    }

    [Fact]
    public async Task CleanupJob_DeletesKeysPast24Hours_AndKeepsYoungerOnes()
    {
        var (owner, _) = await Portal.CreateUserClientAsync();
        var userId = await owner.GetUserIdAsync();
        await (await IdempotencyPortal.SendAsync(owner, HttpMethod.Post, "/api/organization", new { name = $"old {CatalogueSteps.Unique()}" }, NewKey()))
            .ExpectAsync(HttpStatusCode.Created, "old key");
        fixture.Clock.Advance(TimeSpan.FromHours(23));
        await (await IdempotencyPortal.SendAsync(owner, HttpMethod.Post, "/api/organization", new { name = $"young {CatalogueSteps.Unique()}" }, NewKey()))
            .ExpectAsync(HttpStatusCode.Created, "young key");
        fixture.Clock.Advance(TimeSpan.FromHours(2));

        using (var scope = Portal.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<IdempotencyKeyCleanupJob>().RunAsync(CancellationToken.None);
        }

        Assert.Equal(1, await fixture.CountAsync("SELECT count(*) FROM idempotency_key WHERE user_id = @u", ("u", userId)));
    }

    [Fact]
    public async Task ConcurrentIdenticalRequests_HaveOneEffect_TheOthersConflictOrReplay()
    {
        var (owner, _) = await Portal.CreateUserClientAsync();
        var organization = await owner.CreateOrganizationAsync($"org {CatalogueSteps.Unique()}");
        var key = NewKey();
        var path = $"/api/organization/{organization}/project";

        var statuses = await CatalogueSteps.ConcurrentlyAsync(6, _ => IdempotencyPortal.SendAsync(owner, HttpMethod.Post, path, new { name = "raced" }, key));

        Assert.All(statuses, status => Assert.Contains(status, new[] { 201, 409 }));
        Assert.Contains(201, statuses);
        Assert.Equal(1, await fixture.CountAsync("SELECT count(*) FROM project WHERE organization_id = @o", ("o", organization)));
    }

    [Theory]
    [InlineData("too long")]
    [InlineData("empty")]
    [InlineData("control character")]
    public async Task MalformedKey_Answers400NamingTheHeader_AndRunsNothing(string malformation)
    {
        var (owner, _) = await Portal.CreateUserClientAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/organization") { Content = System.Net.Http.Json.JsonContent.Create(new { name = "never" }) };
        switch (malformation)
        {
            case "too long":
                request.Headers.TryAddWithoutValidation("Idempotency-Key", new string('k', 256));
                break;
            case "empty":
                request.Headers.TryAddWithoutValidation("Idempotency-Key", "");
                break;
            default:
                request.Headers.TryAddWithoutValidation("Idempotency-Key", "tab\there");
                break;
        }

        var response = await owner.SendAsync(request);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, $"a key {malformation}");
        Assert.Contains("Idempotency-Key", problem.Text("detail"), StringComparison.Ordinal);
        Assert.Equal(0, await CountOwnedOrganizationsAsync(await owner.GetUserIdAsync()));
    }

    [Fact]
    public async Task Key_WithoutAToken_Answers400()
    {
        var user = ApiSessions.NewUser();
        var response = await IdempotencyPortal.SendAsync(Portal.CreateAnonymousClient(), HttpMethod.Post, "/api/auth/register",
            new { email = user.Email, password = user.Password, first_name = user.FirstName, last_name = user.LastName }, NewKey());

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "register with a key");
        Assert.Contains("API token", problem.Text("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenCreation_IsReplayed_ButNoSecretIsStoredInPlaintext()
    {
        var (owner, _) = await Portal.CreateUserClientAsync();
        var organization = await owner.CreateOrganizationAsync($"org {CatalogueSteps.Unique()}");
        var userId = await owner.GetUserIdAsync();
        var key = NewKey();
        var body = new { name = "ci", role = "DEVELOPER" };
        var path = $"/api/organization/{organization}/apiToken";
        var inviteKey = NewKey();

        var first = await (await IdempotencyPortal.SendAsync(owner, HttpMethod.Post, path, body, key)).ReadJsonAsync(HttpStatusCode.Created, "create token");
        var again = await (await IdempotencyPortal.SendAsync(owner, HttpMethod.Post, path, body, key)).ReadJsonAsync(HttpStatusCode.Created, "repeat");
        var invitation = await (await IdempotencyPortal.SendAsync(owner, HttpMethod.Post, $"/api/organization/{organization}/inviteMember",
            new { email = $"x.{Guid.NewGuid():N}@example.com", role = "VIEWER" }, inviteKey)).ReadJsonAsync(HttpStatusCode.Created, "invite");

        var token = first.Text("token")!;
        var inviteSecret = OrganizationSetup.TokenOf(new Uri(invitation.Text("invitation_link")!));
        Assert.Equal(token, again.Text("token"));
        Assert.Equal(2, await fixture.CountAsync("SELECT count(*) FROM idempotency_key WHERE user_id = @u AND key IN (@a, @b)", ("u", userId), ("a", key), ("b", inviteKey)));
        Assert.Equal(0, await fixture.CountAsync(
            "SELECT count(*) FROM idempotency_key WHERE user_id = @u AND (strpos(fingerprint || coalesce(answer, ''), @t) > 0 OR strpos(fingerprint || coalesce(answer, ''), @i) > 0 OR strpos(fingerprint, @p) > 0)",
            ("u", userId), ("t", token), ("i", inviteSecret), ("p", path)));
        Assert.Equal(1, await fixture.CountAsync("SELECT count(*) FROM api_token WHERE organization_id = @o", ("o", organization)));
    }

    [Fact]
    public async Task OpenApiDocument_DocumentsTheHeaderAnd409And422_OnWrites_NotOnReads()
    {
        var document = JsonNode.Parse(await Portal.CreateAnonymousClient().GetStringAsync("/openapi/v1.json"))!;
        var deploy = document["paths"]!["/api/application/{id}/deploy"]!["post"]!;
        var list = document["paths"]!["/api/organization"]!["get"]!;

        Assert.Contains(deploy["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "Idempotency-Key" && p["in"]!.GetValue<string>() == "header");
        Assert.NotNull(deploy["responses"]!["409"]);
        Assert.NotNull(deploy["responses"]!["422"]);
        Assert.DoesNotContain(list["parameters"]?.AsArray() ?? [], p => p!["name"]!.GetValue<string>() == "Idempotency-Key");
    }

    [Theory]
    [InlineData(200, true)]
    [InlineData(201, true)]
    [InlineData(404, true)]
    [InlineData(409, true)]
    [InlineData(429, false)]
    [InlineData(500, false)]
    [InlineData(503, false)]
    public void AnswersKeptForReplay_AreSuccessesAndClientErrors_Not5xxOr429(int status, bool kept) =>
        Assert.Equal(kept, IdempotencyMiddleware.IsKept(status));

    private Task<long> CountDeploymentsAsync(Guid environmentId) =>
        fixture.CountAsync("SELECT count(*) FROM environment_deployment WHERE environment_id = @e", ("e", environmentId));

    private Task<long> CountOwnedOrganizationsAsync(Guid userId) =>
        fixture.CountAsync("SELECT count(*) FROM organization_member WHERE user_id = @u AND role = 'Owner'", ("u", userId));
}
