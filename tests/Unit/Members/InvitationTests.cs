using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;
using Platform.Tests.Support;

namespace Platform.Tests.Members;

public sealed partial class InvitationTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Accept_AfterTheSevenDaysHavePassed_Returns409AndTheInvitationReadsExpired()
    {
        var (owner, _) = await portal.CreateUserClientAsync();
        var organization = await owner.PostForIdAsync("/api/organization", new { name = "expiring" });
        var invitee = ApiSessions.NewUser("Late", "Comer");
        var invitation = await owner.PostAsJsonAsync($"/api/organization/{organization}/inviteMember", new { email = invitee.Email, role = "VIEWER" });
        var created = (await invitation.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = Guid.Parse(created["id"]!.GetValue<string>());
        await ExecuteAsync("UPDATE invitation SET created_at = now() - interval '8 days', expires_at = now() - interval '1 day' WHERE id = @id", id);

        var client = await InviteeClientAsync(invitee);
        var accept = await client.PostAcceptAsync(organization, id, OrganizationSetup.TokenOf(new Uri(created.Text("invitation_link")!)));
        var listed = (await owner.GetFromJsonAsync<JsonObject>($"/api/organization/{organization}/inviteMember"))!["results"]![0]!;

        Assert.Equal("PENDING", created["invitation_status"]!.GetValue<string>());
        Assert.True(DateTimeOffset.Parse(created["expires_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) - DateTimeOffset.UtcNow > TimeSpan.FromDays(6.9));
        Assert.Equal(HttpStatusCode.Conflict, accept.StatusCode);
        Assert.Contains("expired", (await accept.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("EXPIRED", listed["invitation_status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Invite_WithoutSmtpSettings_WritesTheMailWithTheTokenedLinkAsAnEmlFile()
    {
        var (owner, _) = await portal.CreateUserClientAsync();
        var organization = await owner.PostForIdAsync("/api/organization", new { name = "mailless" });
        var email = ApiSessions.NewUser("Eml", "Reader").Email;

        var invitation = await owner.SendInvitationAsync(organization, email, "DEVELOPER");

        var mail = await portal.WaitForMailAsync(m => m.Contains(email, StringComparison.Ordinal));

        Assert.NotNull(mail);
        Assert.Contains(invitation.Link.ToString(), mail, StringComparison.Ordinal);
        Assert.Contains($"token={invitation.Token}", mail, StringComparison.Ordinal);
        Assert.Contains("Subject: ", mail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvitationLink_CarriesATokenOfAtLeast256RandomBits()
    {
        var (owner, _) = await portal.CreateUserClientAsync();
        var organization = await owner.CreateOrganizationAsync("Tokens");

        var first = await owner.SendInvitationAsync(organization, ApiSessions.NewUser().Email, "VIEWER");
        var second = await owner.SendInvitationAsync(organization, ApiSessions.NewUser().Email, "VIEWER");

        Assert.NotEqual(first.Token, second.Token);
        var secret = System.Buffers.Text.Base64Url.DecodeFromChars(first.Token);
        Assert.True(secret.Length * 8 >= 256, $"{secret.Length * 8} bits");
        Assert.Equal($"/invitation/{first.Id}", first.Link.AbsolutePath);
    }

    [Fact]
    public async Task InvitationToken_IsStoredEncrypted_NotReadableFromTheDatabase()
    {
        var (owner, _) = await portal.CreateUserClientAsync();
        var organization = await owner.CreateOrganizationAsync("At rest");
        var email = ApiSessions.NewUser().Email;
        var invitation = await owner.SendInvitationAsync(organization, email, "ADMIN");
        Assert.NotNull(await portal.WaitForMailAsync(m => m.Contains(email, StringComparison.Ordinal)));

        await using var connection = new NpgsqlConnection(portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT (SELECT i::text FROM invitation i WHERE id = @id),
                   (SELECT protected_token FROM invitation WHERE id = @id),
                   (SELECT coalesce(string_agg(j::text, ' '), '') FROM hangfire.job j),
                   (SELECT coalesce(string_agg(s::text, ' '), '') FROM hangfire.state s)
            """, connection);
        command.Parameters.AddWithValue("id", invitation.Id);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());

        Assert.DoesNotContain(invitation.Token, reader.GetString(0), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(reader.GetString(1)));
        Assert.Contains("SendProtectedAsync", reader.GetString(2), StringComparison.Ordinal);
        Assert.DoesNotContain(invitation.Token, reader.GetString(2), StringComparison.Ordinal);
        Assert.DoesNotContain(invitation.Token, reader.GetString(3), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accept_WithTheTokenAndTheInvitedAddress_MakesAMemberWithTheInvitedRole()
    {
        var (owner, _) = await portal.CreateUserClientAsync();
        var organization = await owner.CreateOrganizationAsync("Joining");
        var invitee = ApiSessions.NewUser("Right", "Person");
        var invitation = await owner.SendInvitationAsync(organization, invitee.Email, "DEVELOPER");
        var client = await InviteeClientAsync(invitee);

        var accepted = await client.PostAcceptAsync(organization, invitation.Id, invitation.Token);

        Assert.Equal(HttpStatusCode.NoContent, accepted.StatusCode);
        Assert.Equal("DEVELOPER", (await owner.GetMemberRolesAsync(organization))[await client.GetUserIdAsync()]);
    }

    [Fact]
    public async Task Accept_WithoutAToken_Returns404AndTheInvitationStaysPending()
    {
        var (owner, _) = await portal.CreateUserClientAsync();
        var organization = await owner.CreateOrganizationAsync("No token");
        var invitee = ApiSessions.NewUser("No", "Token");
        var invitation = await owner.SendInvitationAsync(organization, invitee.Email, "ADMIN");
        var client = await InviteeClientAsync(invitee);
        var path = $"/api/organization/{organization}/invitation/{invitation.Id}/accept";

        var noBody = await client.PostAsync(path, null);
        var emptyObject = await client.PostAsJsonAsync(path, new { });
        var nullToken = await client.PostAcceptAsync(organization, invitation.Id, null);
        var emptyToken = await client.PostAcceptAsync(organization, invitation.Id, "");

        Assert.All([noBody, emptyObject, nullToken, emptyToken], r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        Assert.Equal("application/problem+json", noBody.Content.Headers.ContentType?.MediaType);
        Assert.False(Assert.Single(await portal.StoredInvitationsAsync(organization)).Accepted);
    }

    [Fact]
    public async Task Accept_WithAWrongToken_AnswersExactlyLikeAnUnknownInvitation()
    {
        var (owner, _) = await portal.CreateUserClientAsync();
        var organization = await owner.CreateOrganizationAsync("Wrong token");
        var invitee = ApiSessions.NewUser("Wrong", "Token");
        var invitation = await owner.SendInvitationAsync(organization, invitee.Email, "ADMIN");
        var other = await owner.SendInvitationAsync(organization, ApiSessions.NewUser().Email, "ADMIN");
        var client = await InviteeClientAsync(invitee);

        var wrong = await client.PostAcceptAsync(organization, invitation.Id, invitation.Token[..^2] + "xx");
        var anotherInvitations = await client.PostAcceptAsync(organization, invitation.Id, other.Token);
        var unknown = await client.PostAcceptAsync(organization, Guid.NewGuid(), invitation.Token);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, anotherInvitations.StatusCode);
        Assert.Equal((await ProblemAsync(unknown))["detail"]!.GetValue<string>(), (await ProblemAsync(wrong))["detail"]!.GetValue<string>());
        Assert.DoesNotContain(await client.GetUserIdAsync(), (await owner.GetMemberRolesAsync(organization)).Keys);
    }

    [Fact]
    public async Task Accept_AnInvitationMadeBeforeLinksCarriedTokens_Returns404()
    {
        var (owner, _) = await portal.CreateUserClientAsync();
        var organization = await owner.CreateOrganizationAsync("Legacy");
        var invitee = ApiSessions.NewUser("Old", "Link");
        var invitation = await owner.SendInvitationAsync(organization, invitee.Email, "ADMIN");
        await ExecuteAsync("UPDATE invitation SET protected_token = NULL WHERE id = @id", invitation.Id);
        var client = await InviteeClientAsync(invitee);

        var withOldToken = await client.PostAcceptAsync(organization, invitation.Id, invitation.Token);
        var withoutToken = await client.PostAcceptAsync(organization, invitation.Id, null);
        var listed = Assert.Single(await owner.GetResultsAsync($"/api/organization/{organization}/inviteMember"));

        Assert.Equal(HttpStatusCode.NotFound, withOldToken.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, withoutToken.StatusCode);
        Assert.DoesNotContain("token=", listed.Text("invitation_link"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MembersPage_ShowsPendingInvitationsToTheOwner_WithoutTheirTokenInTheHtml_AndNothingToAViewer()
    {
        var (owner, ownerUser) = await portal.CreateUserClientAsync();
        var organization = await owner.CreateOrganizationAsync("Page");
        var viewer = await portal.AddMemberAsync(owner, organization, "VIEWER");
        var pending = ApiSessions.NewUser("Pending", "Person").Email;
        var invitation = await owner.SendInvitationAsync(organization, pending, "ADMIN");

        var asOwner = await (await portal.SignedInClientAsync(ownerUser)).GetStringAsync($"/organization/{organization}/members");
        var asViewer = await (await portal.SignedInClientAsync(viewer.User)).GetStringAsync($"/organization/{organization}/members");

        Assert.Contains(pending, asOwner, StringComparison.Ordinal);
        Assert.DoesNotContain(invitation.Token, asOwner, StringComparison.Ordinal);
        Assert.Contains(viewer.User.Email, asViewer, StringComparison.Ordinal);
        Assert.DoesNotContain(pending, asViewer, StringComparison.Ordinal);
        Assert.DoesNotContain("Invitations", asViewer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvitationPage_WithoutTheToken_AnswersTheNotFoundPageWith404_EvenToTheInvitee()
    {
        var (owner, _) = await portal.CreateUserClientAsync();
        var organization = await owner.CreateOrganizationAsync("Page without token");
        var invitee = ApiSessions.NewUser("Page", "Visitor");
        var invitation = await owner.SendInvitationAsync(organization, invitee.Email, "ADMIN");
        await (await portal.CreateAnonymousClient().RegisterAsync(invitee)).ExpectAsync(HttpStatusCode.Created, "register the invitee");
        var browser = await portal.SignedInClientAsync(invitee);

        var response = await browser.GetAsync($"/invitation/{invitation.Id}");
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("This page does not exist", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Page without token", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvitationPage_OfAnUnknownInvitation_OrWithAnotherInvitationsToken_AnswersTheNotFoundPageWith404()
    {
        var (owner, _) = await portal.CreateUserClientAsync();
        var organization = await owner.CreateOrganizationAsync("Page of another");
        var mine = await owner.SendInvitationAsync(organization, ApiSessions.NewUser("Mine", "Invitee").Email, "VIEWER");
        var theirs = await owner.SendInvitationAsync(organization, ApiSessions.NewUser("Their", "Invitee").Email, "VIEWER");
        var browser = await portal.SignedInClientAsync((await portal.CreateUserClientAsync()).User);

        var unknown = await browser.GetAsync($"/invitation/{Guid.NewGuid()}?token={mine.Token}");
        var foreign = await browser.GetAsync($"/invitation/{theirs.Id}?token={mine.Token}");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Contains("This page does not exist", await foreign.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvitationPage_WithTheToken_AcceptsThroughItsForm()
    {
        var (owner, _) = await portal.CreateUserClientAsync();
        var organization = await owner.CreateOrganizationAsync("Page with token");
        var invitee = ApiSessions.NewUser("Form", "Accepter");
        var invitation = await owner.SendInvitationAsync(organization, invitee.Email, "VIEWER");
        await (await portal.CreateAnonymousClient().RegisterAsync(invitee)).ExpectAsync(HttpStatusCode.Created, "register the invitee");
        var browser = await portal.SignedInClientAsync(invitee);

        var page = await browser.GetStringAsync(invitation.Link.PathAndQuery);
        var posted = await browser.PostAsync(invitation.Link.PathAndQuery, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "accept",
            ["__RequestVerificationToken"] = AntiforgeryField().Match(page).Groups[1].Value,
        }));

        Assert.Contains("Join Page with token", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.EndsWith($"/organization/{organization}", posted.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Contains("VIEWER", (await owner.GetMemberRolesAsync(organization)).Values);
    }

    private async Task<HttpClient> InviteeClientAsync(TestUser invitee)
    {
        var client = portal.CreateAnonymousClient();
        await (await client.RegisterAsync(invitee)).ExpectAsync(HttpStatusCode.Created, "register the invitee");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await client.IssueTokenAsync(invitee));
        return client;
    }

    private async Task ExecuteAsync(string sql, Guid id)
    {
        await using var connection = new NpgsqlConnection(portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<JsonObject> ProblemAsync(HttpResponseMessage response) => (await response.Content.ReadFromJsonAsync<JsonObject>())!;

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
