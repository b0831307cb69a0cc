using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Platform.Tests.Support;

namespace Platform.Tests.Members;

public sealed class InvitationTests(PortalFactory portal) : IClassFixture<PortalFactory>
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
        await using (var connection = new NpgsqlConnection(portal.ConnectionString))
        {
            await connection.OpenAsync();
            await using var age = new NpgsqlCommand("UPDATE invitation SET created_at = now() - interval '8 days', expires_at = now() - interval '1 day' WHERE id = @id", connection);
            age.Parameters.AddWithValue("id", id);
            await age.ExecuteNonQueryAsync();
        }

        var client = portal.CreateAnonymousClient();
        await client.RegisterAsync(invitee);
        client.DefaultRequestHeaders.Authorization = new("Bearer", await client.IssueTokenAsync(invitee));
        var accept = await client.PostAsync($"/api/organization/{organization}/invitation/{id}/accept", null);
        var listed = (await owner.GetFromJsonAsync<JsonObject>($"/api/organization/{organization}/inviteMember"))!["results"]![0]!;

        Assert.Equal("PENDING", created["invitation_status"]!.GetValue<string>());
        Assert.True(DateTimeOffset.Parse(created["expires_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) - DateTimeOffset.UtcNow > TimeSpan.FromDays(6.9));
        Assert.Equal(HttpStatusCode.Conflict, accept.StatusCode);
        Assert.Contains("expired", (await accept.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("EXPIRED", listed["invitation_status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Invite_WithoutSmtpSettings_WritesTheMailAsAnEmlFileInTheDataFolder()
    {
        var (owner, _) = await portal.CreateUserClientAsync();
        var organization = await owner.PostForIdAsync("/api/organization", new { name = "mailless" });
        var email = ApiSessions.NewUser("Eml", "Reader").Email;

        var invitation = await owner.PostAsJsonAsync($"/api/organization/{organization}/inviteMember", new { email, role = "DEVELOPER" });
        var link = (await invitation.Content.ReadFromJsonAsync<JsonObject>())!["invitation_link"]!.GetValue<string>();

        var folder = Path.Combine(portal.DataDirectory, "mail");
        string? mail = null;
        for (var attempt = 0; attempt < 100 && mail is null; attempt++)
        {
            mail = Directory.Exists(folder)
                ? Directory.GetFiles(folder, "*.eml").Select(File.ReadAllText).FirstOrDefault(m => m.Contains(email, StringComparison.Ordinal))
                : null;
            await Task.Delay(200);
        }

        Assert.NotNull(mail);
        Assert.Contains(link, mail, StringComparison.Ordinal);
        Assert.Contains("Subject: ", mail, StringComparison.Ordinal);
    }
}
