using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Platform.Tests.Support;

namespace Platform.Tests.Members;

/// <summary>An action of the role matrix (PRODUCT.md section 4) on members, invitations, tokens and the organization.</summary>
public enum MatrixAction
{
    GetOrganization,
    UpdateOrganization,
    DeleteOrganization,
    ListMembers,
    ChangeMemberRole,
    RemoveOtherMember,
    LeaveOrganization,
    TransferOwnership,
    ListInvitations,
    InviteMember,
    CancelInvitation,
    ListApiTokens,
    CreateApiToken,
    RevokeApiToken,
}

/// <summary>
/// Every role, as a member (personal token) and as an organization API token, against every member, invitation,
/// token and organization action: allowed answers 2xx and does the change, forbidden answers 403 and changes nothing.
/// Each call acts on a target of its own: an invitation or a token made for it in the shared organization, or, for
/// actions on members and on the organization itself, an organization made for it, which the member under test
/// and a spare user (the target) join through invitations.
/// </summary>
public sealed class RoleMatrixTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private static readonly string[] MemberRoles = ["OWNER", "ADMIN", "DEVELOPER", "VIEWER"];
    private static readonly string[] TokenRoles = ["ADMIN", "DEVELOPER", "VIEWER"];

    /// <summary>What each role gets, in the order OWNER, ADMIN, DEVELOPER, VIEWER.</summary>
    private static readonly Dictionary<MatrixAction, int[]> ForMembers = new()
    {
        [MatrixAction.GetOrganization] = [200, 200, 200, 200],
        [MatrixAction.UpdateOrganization] = [200, 200, 403, 403],
        [MatrixAction.DeleteOrganization] = [204, 403, 403, 403],
        [MatrixAction.ListMembers] = [200, 200, 200, 200],
        [MatrixAction.ChangeMemberRole] = [200, 200, 403, 403],
        [MatrixAction.RemoveOtherMember] = [204, 204, 403, 403],
        // Anyone may leave, except the owner, who cannot be removed.
        [MatrixAction.LeaveOrganization] = [409, 204, 204, 204],
        [MatrixAction.TransferOwnership] = [204, 403, 403, 403],
        // Pending invitations carry the links that accept them: those who manage members only.
        [MatrixAction.ListInvitations] = [200, 200, 403, 403],
        [MatrixAction.InviteMember] = [201, 201, 403, 403],
        [MatrixAction.CancelInvitation] = [204, 204, 403, 403],
        [MatrixAction.ListApiTokens] = [200, 200, 403, 403],
        [MatrixAction.CreateApiToken] = [201, 201, 403, 403],
        [MatrixAction.RevokeApiToken] = [204, 204, 403, 403],
    };

    /// <summary>What an organization token of each role gets, in the order ADMIN, DEVELOPER, VIEWER. No token is OWNER.</summary>
    private static readonly Dictionary<MatrixAction, int[]> ForTokens = new()
    {
        [MatrixAction.GetOrganization] = [200, 200, 200],
        [MatrixAction.UpdateOrganization] = [200, 403, 403],
        [MatrixAction.DeleteOrganization] = [403, 403, 403],
        [MatrixAction.ListMembers] = [200, 200, 200],
        [MatrixAction.ChangeMemberRole] = [200, 403, 403],
        [MatrixAction.RemoveOtherMember] = [204, 403, 403],
        [MatrixAction.TransferOwnership] = [403, 403, 403],
        [MatrixAction.ListInvitations] = [200, 403, 403],
        [MatrixAction.InviteMember] = [201, 403, 403],
        [MatrixAction.CancelInvitation] = [204, 403, 403],
        [MatrixAction.ListApiTokens] = [200, 403, 403],
        [MatrixAction.CreateApiToken] = [201, 403, 403],
        [MatrixAction.RevokeApiToken] = [204, 403, 403],
    };

    public static TheoryData<string, MatrixAction, int> MemberRows => Rows(ForMembers, MemberRoles);

    public static TheoryData<string, MatrixAction, int> TokenRows => Rows(ForTokens, TokenRoles);

    [Theory]
    [MemberData(nameof(MemberRows))]
    public async Task Action_AsMemberWithRole_ReturnsTheMatrixStatus(string role, MatrixAction action, int expected)
    {
        var organization = await OrganizationAsync();

        var outcome = await RunAsync(organization, role, action, organizationId => MemberCallerAsync(organization, organizationId, role));

        await AssertOutcomeAsync(outcome, $"{action} by the {role} member", expected);
    }

    [Theory]
    [MemberData(nameof(TokenRows))]
    public async Task Action_AsOrganizationTokenWithRole_ReturnsTheMatrixStatus(string role, MatrixAction action, int expected)
    {
        var organization = await OrganizationAsync();

        var outcome = await RunAsync(organization, role, action, organizationId => TokenCallerAsync(organization, organizationId, role));

        await AssertOutcomeAsync(outcome, $"{action} by the {role} organization token", expected);
    }

    [Fact]
    public async Task RemoveMember_TheOwner_Returns409AndTheOwnerStays()
    {
        var organization = await OrganizationAsync();

        var byAdmin = await organization.Members["ADMIN"].Client.DeleteAsync(MemberPath(organization.Id, organization.OwnerId));

        await AssertProblemAsync(byAdmin, HttpStatusCode.Conflict, "an ADMIN removing the owner");
        var roles = await organization.Owner.GetMemberRolesAsync(organization.Id);
        Assert.Equal("OWNER", roles[organization.OwnerId]);
    }

    [Fact]
    public async Task ChangeRole_OfTheOwner_Returns409AndTheOwnerStaysOwner()
    {
        var organization = await OrganizationAsync();

        var byAdmin = await organization.Members["ADMIN"].Client.PutAsJsonAsync(
            MemberPath(organization.Id, organization.OwnerId), new { role = "VIEWER" });
        var byOwner = await organization.Owner.PutAsJsonAsync(MemberPath(organization.Id, organization.OwnerId), new { role = "ADMIN" });

        await AssertProblemAsync(byAdmin, HttpStatusCode.Conflict, "an ADMIN demoting the owner");
        await AssertProblemAsync(byOwner, HttpStatusCode.Conflict, "the owner demoting themselves");
        var roles = await organization.Owner.GetMemberRolesAsync(organization.Id);
        Assert.Equal("OWNER", roles[organization.OwnerId]);
    }

    [Fact]
    public async Task InviteMember_AnExistingMember_Returns409()
    {
        var organization = await OrganizationAsync();
        var developer = organization.Members["DEVELOPER"].User.Email;

        var same = await organization.Owner.PostAsJsonAsync(InvitePath(organization.Id), new { email = developer, role = "ADMIN" });
        var upperCase = await organization.Owner.PostAsJsonAsync(
            InvitePath(organization.Id), new { email = developer.ToUpperInvariant(), role = "VIEWER" });

        await AssertProblemAsync(same, HttpStatusCode.Conflict, "inviting a member's address");
        await AssertProblemAsync(upperCase, HttpStatusCode.Conflict, "inviting a member's address in upper case");
        var invitations = await portal.StoredInvitationsAsync(organization.Id);
        Assert.DoesNotContain(invitations, i => string.Equals(i.Email, developer, StringComparison.OrdinalIgnoreCase) && !i.Accepted);
    }

    [Fact]
    public async Task InviteMember_AnAddressWithAPendingInvitation_Returns409()
    {
        var organization = await OrganizationAsync();
        var email = ApiSessions.NewUser("Pending").Email;
        await organization.Owner.InviteAsync(organization.Id, email, "VIEWER");

        var again = await organization.Members["ADMIN"].Client.PostAsJsonAsync(InvitePath(organization.Id), new { email, role = "DEVELOPER" });

        await AssertProblemAsync(again, HttpStatusCode.Conflict, "inviting an address with a pending invitation");
        var forEmail = Assert.Single(await portal.StoredInvitationsAsync(organization.Id), i => i.Email == email);
        Assert.Equal("VIEWER", forEmail.Role, ignoreCase: true);
        Assert.False(forEmail.Accepted);
    }

    [Fact]
    public async Task AcceptInvitation_WithItsLinkButAnotherEmail_Returns403AndTheInvitationStaysPending()
    {
        var organization = await OrganizationAsync();
        var email = ApiSessions.NewUser("Invitee").Email;
        var invitation = await organization.Owner.SendInvitationAsync(organization.Id, email, "ADMIN");
        var developer = organization.Members["DEVELOPER"];

        var response = await developer.Client.PostAcceptAsync(organization.Id, invitation.Id, invitation.Token);

        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "accepting a forwarded invitation signed in with another address");
        Assert.False(Assert.Single(await portal.StoredInvitationsAsync(organization.Id), i => i.Id == invitation.Id).Accepted);
        Assert.Equal("DEVELOPER", (await organization.Owner.GetMemberRolesAsync(organization.Id))[developer.UserId]);
    }

    [Fact]
    public async Task TransferOwnership_MakesThePreviousOwnerAdmin()
    {
        var organization = await OrganizationAsync();
        var organizationId = await organization.Owner.CreateOrganizationAsync("Handed over");
        var next = await portal.AddMemberAsync(organization.Owner, organizationId, "DEVELOPER");

        var response = await organization.Owner.PostAsJsonAsync(
            $"/api/organization/{organizationId}/transferOwnership", new { user_id = next.UserId });

        await response.ExpectAsync(HttpStatusCode.NoContent, "transferOwnership");
        var roles = await next.Client.GetMemberRolesAsync(organizationId);
        Assert.Equal("ADMIN", roles[organization.OwnerId]);
        Assert.Equal("OWNER", roles[next.UserId]);
        Assert.Single(roles.Values, r => r == "OWNER");
        var afterwards = await next.Client.GetObjectAsync($"/api/organization/{organizationId}");
        Assert.Equal(next.UserId.ToString(), afterwards.Text("owner_id"));
        Assert.Equal("OWNER", afterwards.Text("role"));
    }

    private static TheoryData<string, MatrixAction, int> Rows(Dictionary<MatrixAction, int[]> matrix, string[] roles)
    {
        var rows = new TheoryData<string, MatrixAction, int>();
        foreach (var (action, statuses) in matrix)
        {
            for (var i = 0; i < roles.Length; i++)
            {
                rows.Add(roles[i], action, statuses[i]);
            }
        }

        return rows;
    }

    private Task<MatrixOrganization> OrganizationAsync() => portal.SharedAsync(MatrixOrganization.CreateAsync);

    /// <summary>The member with that role; in an organization made for one row, they join it first with that role.</summary>
    private static async Task<HttpClient> MemberCallerAsync(MatrixOrganization organization, Guid organizationId, string role)
    {
        if (role == "OWNER")
        {
            return organization.Owner;
        }

        var member = organization.Members[role];
        if (organizationId != organization.Id)
        {
            await member.JoinAsync(organization.Owner, organizationId, role);
        }

        return member.Client;
    }

    /// <summary>The organization token with that role; in an organization made for one row, a new one made there.</summary>
    private async Task<HttpClient> TokenCallerAsync(MatrixOrganization organization, Guid organizationId, string role)
    {
        if (organizationId == organization.Id)
        {
            return organization.Tokens[role];
        }

        var (_, token) = await organization.Owner.CreateOrganizationTokenAsync(organizationId, role);
        return portal.CreateBearerClient(token);
    }

    /// <summary>
    /// Arranges a target of the action's own as the owner, then has the caller act on it. <paramref name="caller"/>
    /// answers the client with the role under test in an organization (the shared one, or one made for the row).
    /// </summary>
    private async Task<Outcome> RunAsync(MatrixOrganization organization, string role, MatrixAction action, Func<Guid, Task<HttpClient>> caller)
    {
        var owner = organization.Owner;
        var id = organization.Id;
        switch (action)
        {
            case MatrixAction.GetOrganization:
                return new(await (await caller(id)).GetAsync($"/api/organization/{id}"));

            case MatrixAction.UpdateOrganization:
            {
                var description = $"edited {Guid.NewGuid():N}";
                var response = await (await caller(id)).PutAsJsonAsync(
                    $"/api/organization/{id}", new { name = organization.Name, description });
                return new(response, async () => (await owner.GetObjectAsync($"/api/organization/{id}")).Text("description") == description);
            }

            case MatrixAction.DeleteOrganization:
            {
                var doomed = await owner.CreateOrganizationAsync("To delete");
                var response = await (await caller(doomed)).DeleteAsync($"/api/organization/{doomed}");
                return new(response, async () => (await owner.GetAsync($"/api/organization/{doomed}")).StatusCode == HttpStatusCode.NotFound);
            }

            case MatrixAction.ListMembers:
                return new(await (await caller(id)).GetAsync($"/api/organization/{id}/member"));

            case MatrixAction.ChangeMemberRole:
            {
                var (own, acting, target) = await OrganizationWithTargetAsync(organization, caller, "Roles");
                var response = await acting.PutAsJsonAsync(MemberPath(own, target), new { role = "DEVELOPER" });
                return new(response, async () => (await owner.GetMemberRolesAsync(own))[target] == "DEVELOPER");
            }

            case MatrixAction.RemoveOtherMember:
            {
                var (own, acting, target) = await OrganizationWithTargetAsync(organization, caller, "Removals");
                var response = await acting.DeleteAsync(MemberPath(own, target));
                return new(response, async () => !(await owner.GetMemberRolesAsync(own)).ContainsKey(target));
            }

            case MatrixAction.LeaveOrganization:
            {
                // The owner tries to leave the shared organization; the others leave one they joined for this row.
                var own = role == "OWNER" ? id : await owner.CreateOrganizationAsync("To leave");
                var leaving = await caller(own);
                var leavingId = role == "OWNER" ? organization.OwnerId : organization.Members[role].UserId;
                var response = await leaving.DeleteAsync(MemberPath(own, leavingId));
                return new(response, async () => !(await owner.GetMemberRolesAsync(own)).ContainsKey(leavingId));
            }

            case MatrixAction.TransferOwnership:
            {
                var (own, acting, heir) = await OrganizationWithTargetAsync(organization, caller, "To hand over");
                var response = await acting.PostAsJsonAsync($"/api/organization/{own}/transferOwnership", new { user_id = heir });
                return new(response, async () => (await owner.GetObjectAsync($"/api/organization/{own}")).Text("owner_id") == heir.ToString());
            }

            case MatrixAction.ListInvitations:
                return new(await (await caller(id)).GetAsync(InvitePath(id)));

            case MatrixAction.InviteMember:
            {
                var email = ApiSessions.NewUser("Invited").Email;
                var response = await (await caller(id)).PostAsJsonAsync(InvitePath(id), new { email, role = "VIEWER" });
                return new(response, async () => (await portal.StoredInvitationsAsync(id)).Any(i => i.Email == email));
            }

            case MatrixAction.CancelInvitation:
            {
                var invitationId = await owner.InviteAsync(id, ApiSessions.NewUser("Cancelled").Email, "VIEWER");
                var response = await (await caller(id)).DeleteAsync($"{InvitePath(id)}/{invitationId}");
                return new(response, async () => (await portal.StoredInvitationsAsync(id)).All(i => i.Id != invitationId));
            }

            case MatrixAction.ListApiTokens:
                return new(await (await caller(id)).GetAsync(TokenPath(id)));

            case MatrixAction.CreateApiToken:
            {
                var name = $"made in the matrix {Guid.NewGuid():N}";
                var response = await (await caller(id)).PostAsJsonAsync(
                    TokenPath(id), new { name, role = "VIEWER", expires_at = (DateTimeOffset?)null });
                return new(response, async () => (await owner.GetResultsAsync(TokenPath(id))).Any(t => t.Text("name") == name));
            }

            case MatrixAction.RevokeApiToken:
            {
                var (tokenId, _) = await owner.CreateOrganizationTokenAsync(id, "VIEWER");
                var response = await (await caller(id)).DeleteAsync($"/api/apiToken/{tokenId}");
                return new(response, async () => (await owner.GetResultsAsync(TokenPath(id))).All(t => t!.AsObject().Id() != tokenId));
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, "No arrangement for this action.");
        }
    }

    /// <summary>
    /// An organization made by the owner for one row, which the caller and the spare user (as a VIEWER) join;
    /// answers its id, the caller, and the spare user's id as the target.
    /// </summary>
    private static async Task<(Guid Id, HttpClient Caller, Guid Target)> OrganizationWithTargetAsync(
        MatrixOrganization organization, Func<Guid, Task<HttpClient>> caller, string name)
    {
        var id = await organization.Owner.CreateOrganizationAsync(name);
        var acting = await caller(id);
        await organization.Spare.JoinAsync(organization.Owner, id, "VIEWER");
        return (id, acting, organization.Spare.UserId);
    }

    private static async Task AssertOutcomeAsync(Outcome outcome, string what, int expected)
    {
        var status = (int)outcome.Response.StatusCode;
        var body = await outcome.Response.Content.ReadAsStringAsync();
        Assert.True(status == expected, $"{what}: expected {expected}, got {status}: {body}");
        if (expected == 403)
        {
            Assert.Equal("application/problem+json", outcome.Response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(403, JsonNode.Parse(body)!["status"]!.GetValue<int>());
        }

        if (outcome.Applied is not null)
        {
            var applied = await outcome.Applied();
            var allowed = expected is >= 200 and < 300;
            Assert.True(applied == allowed, $"{what} answered {status}, yet the change was {(applied ? "" : "not ")}made.");
        }
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{what}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static string MemberPath(Guid organizationId, Guid userId) => $"/api/organization/{organizationId}/member/{userId}";

    private static string InvitePath(Guid organizationId) => $"/api/organization/{organizationId}/inviteMember";

    private static string TokenPath(Guid organizationId) => $"/api/organization/{organizationId}/apiToken";

    /// <param name="Applied">Whether the action's change is visible to the owner afterwards; null for reads.</param>
    private sealed record Outcome(HttpResponseMessage Response, Func<Task<bool>>? Applied = null);

    /// <summary>The organization all rows share: its owner, a member of each other role, and a token of each role.</summary>
    private sealed class MatrixOrganization
    {
        public required Guid Id { get; init; }

        public required string Name { get; init; }

        public required HttpClient Owner { get; init; }

        public required Guid OwnerId { get; init; }

        public required Dictionary<string, ApiMember> Members { get; init; }

        public required Dictionary<string, HttpClient> Tokens { get; init; }

        /// <summary>A user who is not in the shared organization: the target in organizations made for one row.</summary>
        public required ApiMember Spare { get; init; }

        public static async Task<MatrixOrganization> CreateAsync(PortalFactory portal)
        {
            var (owner, _) = await portal.CreateUserClientAsync();
            var (spare, spareUser) = await portal.CreateUserClientAsync();
            var name = $"Matrix {Guid.NewGuid():N}";
            var id = await owner.CreateOrganizationAsync(name, "The role matrix");
            var members = new Dictionary<string, ApiMember>();
            var tokens = new Dictionary<string, HttpClient>();
            foreach (var role in TokenRoles)
            {
                members[role] = await portal.AddMemberAsync(owner, id, role);
                tokens[role] = portal.CreateBearerClient((await owner.CreateOrganizationTokenAsync(id, role)).Token);
            }

            return new MatrixOrganization
            {
                Id = id,
                Name = name,
                Owner = owner,
                OwnerId = await owner.GetUserIdAsync(),
                Members = members,
                Tokens = tokens,
                Spare = new ApiMember(spare, spareUser, await spare.GetUserIdAsync()),
            };
        }
    }
}
