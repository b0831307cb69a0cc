using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Mvc;
using Platform.Domain.Members;
using Platform.Portal.Infrastructure;
using Platform.Portal.Infrastructure.RateLimits;

namespace Platform.Portal.Members;

public static class MemberApi
{
    public sealed record MemberResponse(
        Guid Id,
        string FirstName,
        string LastName,
        string Email,
        string? ProfilePictureUrl,
        DateTimeOffset? LastActivityAt,
        OrganizationRole Role,
        InvitationStatus InvitationStatus,
        DateTimeOffset CreatedAt,
        DateTimeOffset UpdatedAt);

    public sealed record InviteRequest(string? Email, OrganizationRole? Role);

    public sealed record InvitationResponse(
        Guid Id,
        string Email,
        Uri InvitationLink,
        OrganizationRole Role,
        InvitationStatus InvitationStatus,
        DateTimeOffset CreatedAt,
        DateTimeOffset ExpiresAt);

    public sealed record RoleRequest(OrganizationRole? Role);

    public sealed record TransferOwnershipRequest(Guid? UserId);

    /// <param name="Token">The secret of the invitation's link: the value of its <c>token</c> query parameter.</param>
    public sealed record AcceptInvitationRequest(string? Token);

    public static RouteGroupBuilder MapMemberApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("").WithTags("Organization member");
        group.MapGet("/organization/{id:guid}/member", ListMembersAsync).Describe("listOrganizationMembers", "Members and their roles");
        group.MapPut("/organization/{id:guid}/member/{userId:guid}", ChangeRoleAsync).Describe("updateOrganizationMemberRole", "Change a member's role (ADMIN or OWNER)").MayConflict();
        group.MapDelete("/organization/{id:guid}/member/{userId:guid}", RemoveAsync).Describe("removeOrganizationMember", "Remove a member, or leave (the owner cannot be removed)").MayConflict();
        group.MapPost("/organization/{id:guid}/transferOwnership", TransferOwnershipAsync)
            .Describe("transferOrganizationOwnership", "Make another member the owner (OWNER); the previous owner becomes ADMIN").MayConflict();
        group.MapGet("/organization/{id:guid}/inviteMember", ListInvitationsAsync).Describe("listOrganizationInvitations", "Invitations not yet accepted, with their links (OWNER, ADMIN)").NeedsRole();
        group.MapPost("/organization/{id:guid}/inviteMember", InviteAsync).Describe("inviteOrganizationMember", "Invite someone by email; the link is mailed and answered").MayConflict();
        group.MapDelete("/organization/{id:guid}/inviteMember/{invitationId:guid}", CancelInvitationAsync).Describe("cancelOrganizationInvitation", "Cancel an invitation");
        group.MapPost("/organization/{id:guid}/invitation/{invitationId:guid}/accept", AcceptAsync)
            .RequireRateLimiting(RateLimitPolicies.Invitation)
            .Describe("acceptOrganizationInvitation", "Accept an invitation sent to the caller's email")
            .WithDescription("Takes the `token` of the invitation's link; a wrong or missing token answers 404, like an unknown invitation.").MayConflict();
        return group;
    }

    private static async Task<Results<Ok<ListResponse<MemberResponse>>, ProblemHttpResult>> ListMembersAsync(Guid id, ApiCaller caller, MemberService members) =>
        (await members.ListMembersAsync(caller, id)).ToOk(list => new ListResponse<MemberResponse>(list.Select(ToResponse).ToList()));

    private static async Task<Results<Ok<MemberResponse>, ProblemHttpResult>> ChangeRoleAsync(
        Guid id, Guid userId, RoleRequest request, ApiCaller caller, MemberService members) =>
        (await members.ChangeRoleAsync(caller, id, userId, request.Role)).ToOk(ToResponse);

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(Guid id, Guid userId, ApiCaller caller, MemberService members) =>
        (await members.RemoveAsync(caller, id, userId)).ToNoContent();

    private static async Task<Results<NoContent, ProblemHttpResult>> TransferOwnershipAsync(
        Guid id, TransferOwnershipRequest request, ApiCaller caller, MemberService members) =>
        (await members.TransferOwnershipAsync(caller, id, request.UserId)).ToNoContent();

    private static async Task<Results<Ok<ListResponse<InvitationResponse>>, ProblemHttpResult>> ListInvitationsAsync(
        Guid id, HttpRequest http, ApiCaller caller, MemberService members, PortalLinks links) =>
        (await members.ListInvitationsAsync(caller, id, links.For(http)))
            .ToOk(list => new ListResponse<InvitationResponse>(list.Select(ToResponse).ToList()));

    private static async Task<Results<Created<InvitationResponse>, ProblemHttpResult>> InviteAsync(
        Guid id, InviteRequest request, [FromServices] IServer server, ApiCaller caller, MemberService members, PortalLinks links) =>
        (await members.InviteAsync(caller, id, request.Email, request.Role, links.ForMail(server))).ToCreated(ToResponse);

    private static async Task<Results<NoContent, ProblemHttpResult>> CancelInvitationAsync(
        Guid id, Guid invitationId, ApiCaller caller, MemberService members) =>
        (await members.CancelInvitationAsync(caller, id, invitationId)).ToNoContent();

    private static async Task<Results<NoContent, ProblemHttpResult>> AcceptAsync(
        Guid id, Guid invitationId, AcceptInvitationRequest? request, ApiCaller caller, MemberService members) =>
        (await members.AcceptAsync(caller, id, invitationId, request?.Token)).ToNoContent();

    private static MemberResponse ToResponse(MemberView m) =>
        new(m.Id, m.FirstName, m.LastName, m.Email, m.ProfilePictureUrl, m.LastActivityAt, m.Role, m.InvitationStatus, m.CreatedAt, m.UpdatedAt);

    private static InvitationResponse ToResponse(InvitationView i) =>
        new(i.Id, i.Email, i.Link, i.Role, i.Status, i.CreatedAt, i.ExpiresAt);
}
