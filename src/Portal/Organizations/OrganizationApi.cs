using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Platform.Domain.Members;
using Platform.Domain.Organizations;
using Platform.Portal.Infrastructure.Auth;
using Platform.Portal.Infrastructure.Problems;

namespace Platform.Portal.Organizations;

public static class OrganizationApi
{
    public sealed record OrganizationRequest(string? Name, string? Description);

    /// <param name="Role">The caller's role in this organization.</param>
    public sealed record OrganizationResponse(
        Guid Id,
        DateTimeOffset CreatedAt,
        DateTimeOffset UpdatedAt,
        string Name,
        string? Description,
        Guid OwnerId,
        OrganizationRole Role);

    public static RouteGroupBuilder MapOrganizationApi(this RouteGroupBuilder api)
    {
        var organizations = api.MapGroup("/organization").WithTags("Organization");
        organizations.MapGet("", ListAsync).WithSummary("The organizations the caller belongs to");
        organizations.MapPost("", CreateAsync).WithSummary("Create an organization; its creator is the OWNER");
        organizations.MapGet("/{id:guid}", GetAsync).WithSummary("One organization");
        organizations.MapPut("/{id:guid}", UpdateAsync).WithSummary("Rename or describe an organization (ADMIN or OWNER)");
        organizations.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Delete an organization and everything in it (OWNER)");
        return api;
    }

    private static async Task<Ok<ListResponse<OrganizationResponse>>> ListAsync(ClaimsPrincipal user, OrganizationService organizations) =>
        TypedResults.Ok(new ListResponse<OrganizationResponse>((await organizations.ListAsync(user.ToCaller())).Select(ToResponse).ToList()));

    private static async Task<Results<Created<OrganizationResponse>, ProblemHttpResult>> CreateAsync(
        OrganizationRequest request, ClaimsPrincipal user, OrganizationService organizations) =>
        (await organizations.CreateAsync(user.ToCaller(), new OrganizationInput(request.Name, request.Description)))
            .ToCreated(ToResponse, o => $"/api/organization/{o.Id}");

    private static async Task<Results<Ok<OrganizationResponse>, ProblemHttpResult>> GetAsync(Guid id, ClaimsPrincipal user, OrganizationService organizations) =>
        (await organizations.GetAsync(user.ToCaller(), id)).ToOk(ToResponse);

    private static async Task<Results<Ok<OrganizationResponse>, ProblemHttpResult>> UpdateAsync(
        Guid id, OrganizationRequest request, ClaimsPrincipal user, OrganizationService organizations) =>
        (await organizations.UpdateAsync(user.ToCaller(), id, new OrganizationInput(request.Name, request.Description))).ToOk(ToResponse);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, ClaimsPrincipal user, OrganizationService organizations) =>
        (await organizations.DeleteAsync(user.ToCaller(), id)).ToNoContent();

    private static OrganizationResponse ToResponse(OrganizationView o) =>
        new(o.Id, o.CreatedAt, o.UpdatedAt, o.Name, o.Description, o.OwnerId, o.Role);
}
