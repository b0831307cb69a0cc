using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Platform.Domain.Members;
using Platform.Portal.Infrastructure;
using Platform.Portal.Infrastructure.Auth;
using Platform.Portal.Infrastructure.Problems;
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
        var organization = api.MapGroup("/organization/{id:guid}").WithTags("Organization member");
        organization.MapGet("/member", ListMembersAsync).WithSummary("Members and their roles");
        organization.MapPut("/member/{userId:guid}", ChangeRoleAsync).WithSummary("Change a member's role (ADMIN or OWNER)");
        organization.MapDelete("/member/{userId:guid}", RemoveAsync).WithSummary("Remove a member, or leave (the owner cannot be removed)");
        organization.MapPost("/transferOwnership", TransferOwnershipAsync).WithSummary("Make another member the owner (OWNER); the previous owner becomes ADMIN");
        organization.MapGet("/inviteMember", ListInvitationsAsync).WithSummary("Invitations not yet accepted, with their links (OWNER, ADMIN)");
        organization.MapPost("/inviteMember", InviteAsync).WithSummary("Invite someone by email; the link is mailed and answered");
        organization.MapDelete("/inviteMember/{invitationId:guid}", CancelInvitationAsync).WithSummary("Cancel an invitation");
        organization.MapPost("/invitation/{invitationId:guid}/accept", AcceptAsync)
            .RequireRateLimiting(RateLimitPolicies.Invitation)
            .WithSummary("Accept an invitation sent to the caller's email")
            .WithDescription("Takes the `token` of the invitation's link; a wrong or missing token answers 404, like an unknown invitation.");
        return api;
    }

    private static async Task<Results<Ok<ListResponse<MemberResponse>>, ProblemHttpResult>> ListMembersAsync(Guid id, ClaimsPrincipal user, MemberService members) =>
        (await members.ListMembersAsync(user.ToCaller(), id)).ToOk(list => new ListResponse<MemberResponse>(list.Select(ToResponse).ToList()));

    private static async Task<Results<Ok<MemberResponse>, ProblemHttpResult>> ChangeRoleAsync(
        Guid id, Guid userId, RoleRequest request, ClaimsPrincipal user, MemberService members) =>
        (await members.ChangeRoleAsync(user.ToCaller(), id, userId, request.Role)).ToOk(ToResponse);

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(Guid id, Guid userId, ClaimsPrincipal user, MemberService members) =>
        (await members.RemoveAsync(user.ToCaller(), id, userId)).ToNoContent();

    private static async Task<Results<NoContent, ProblemHttpResult>> TransferOwnershipAsync(
        Guid id, TransferOwnershipRequest request, ClaimsPrincipal user, MemberService members) =>
        (await members.TransferOwnershipAsync(user.ToCaller(), id, request.UserId)).ToNoContent();

    private static async Task<Results<Ok<ListResponse<InvitationResponse>>, ProblemHttpResult>> ListInvitationsAsync(
        Guid id, HttpRequest http, ClaimsPrincipal user, MemberService members, PortalLinks links) =>
        (await members.ListInvitationsAsync(user.ToCaller(), id, links.For(http)))
            .ToOk(list => new ListResponse<InvitationResponse>(list.Select(ToResponse).ToList()));

    private static async Task<Results<Created<InvitationResponse>, ProblemHttpResult>> InviteAsync(
        Guid id, InviteRequest request, HttpRequest http, ClaimsPrincipal user, MemberService members, PortalLinks links) =>
        (await members.InviteAsync(user.ToCaller(), id, request.Email, request.Role, links.For(http))).ToCreated(ToResponse);

    private static async Task<Results<NoContent, ProblemHttpResult>> CancelInvitationAsync(
        Guid id, Guid invitationId, ClaimsPrincipal user, MemberService members) =>
        (await members.CancelInvitationAsync(user.ToCaller(), id, invitationId)).ToNoContent();

    private static async Task<Results<NoContent, ProblemHttpResult>> AcceptAsync(
        Guid id, Guid invitationId, AcceptInvitationRequest? request, ClaimsPrincipal user, MemberService members) =>
        (await members.AcceptAsync(user.ToCaller(), id, invitationId, request?.Token)).ToNoContent();

    private static MemberResponse ToResponse(MemberView m) =>
        new(m.Id, m.FirstName, m.LastName, m.Email, m.ProfilePictureUrl, m.LastActivityAt, m.Role, m.InvitationStatus, m.CreatedAt, m.UpdatedAt);

    private static InvitationResponse ToResponse(InvitationView i) =>
        new(i.Id, i.Email, i.Link, i.Role, i.Status, i.CreatedAt, i.ExpiresAt);
}
