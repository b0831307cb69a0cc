using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Platform.Tests.Support;

namespace Platform.Tests.Security;

/// <summary>
/// Issue 11: a member who learns an invitation's id (or its address) and registers the invited address gets
/// nothing from it. Only the secret token of the invitation's link accepts it.
/// </summary>
public sealed class InvitationTakeoverTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Viewer_WhoRegistersTheAddressOfAnAdminInvitation_NeitherSeesNorAcceptsIt()
    {
        var (owner, _) = await portal.CreateUserClientAsync();
        var organization = await owner.CreateOrganizationAsync("Takeover");
        var viewer = await portal.AddMemberAsync(owner, organization, "VIEWER");
        var invited = ApiSessions.NewUser("Invited", "Admin");
        var invitationId = await owner.InviteAsync(organization, invited.Email, "ADMIN");

        var listed = await viewer.Client.GetAsync($"/api/organization/{organization}/inviteMember");
        var listedBody = await listed.Content.ReadAsStringAsync();
        var attacker = portal.CreateAnonymousClient();
        var impostor = invited with { Password = "the viewer's own passphrase" };
        await (await attacker.RegisterAsync(impostor)).ExpectAsync(HttpStatusCode.Created, "register the invited address");
        attacker.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await attacker.IssueTokenAsync(impostor));
        var accept = $"/api/organization/{organization}/invitation/{invitationId}/accept";
        var byIdAlone = await attacker.PostAsync(accept, null);
        var withAGuess = await attacker.PostAsJsonAsync(accept, new { token = "guessed" });

        var roles = await owner.GetMemberRolesAsync(organization);
        Assert.DoesNotContain("ADMIN", roles.Values);
        Assert.False(Assert.Single(await portal.StoredInvitationsAsync(organization), i => i.Id == invitationId).Accepted);
        Assert.Equal(HttpStatusCode.Forbidden, listed.StatusCode);
        Assert.DoesNotContain(invited.Email, listedBody, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(invitationId.ToString(), listedBody, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.NotFound, byIdAlone.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, withAGuess.StatusCode);
    }
}
