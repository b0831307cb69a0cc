using Platform.Domain.Members;
using Platform.Domain.Organizations;

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
        var group = api.MapGroup("").WithTags("Organization");
        group.MapGet("/organization", ListAsync).Describe("listOrganizations", "The organizations the caller belongs to");
        group.MapPost("/organization", CreateAsync).Describe("createOrganization", "Create an organization; its creator is the OWNER");
        group.MapGet("/organization/{id:guid}", GetAsync).Describe("getOrganization", "One organization");
        group.MapPut("/organization/{id:guid}", UpdateAsync).Describe("updateOrganization", "Rename or describe an organization (ADMIN or OWNER)");
        group.MapDelete("/organization/{id:guid}", DeleteAsync).Describe("deleteOrganization", "Delete an organization and everything in it (OWNER)").MayConflict();
        return group;
    }

    private static async Task<Ok<ListResponse<OrganizationResponse>>> ListAsync(ApiCaller caller, OrganizationService organizations) =>
        TypedResults.Ok(new ListResponse<OrganizationResponse>((await organizations.ListAsync(caller)).Select(ToResponse).ToList()));

    private static async Task<Results<Created<OrganizationResponse>, ProblemHttpResult>> CreateAsync(
        OrganizationRequest request, ApiCaller caller, OrganizationService organizations) =>
        (await organizations.CreateAsync(caller, new OrganizationInput(request.Name, request.Description)))
            .ToCreated(ToResponse, o => $"/api/organization/{o.Id}");

    private static async Task<Results<Ok<OrganizationResponse>, ProblemHttpResult>> GetAsync(Guid id, ApiCaller caller, OrganizationService organizations) =>
        (await organizations.GetAsync(caller, id)).ToOk(ToResponse);

    private static async Task<Results<Ok<OrganizationResponse>, ProblemHttpResult>> UpdateAsync(
        Guid id, OrganizationRequest request, ApiCaller caller, OrganizationService organizations) =>
        (await organizations.UpdateAsync(caller, id, new OrganizationInput(request.Name, request.Description))).ToOk(ToResponse);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, ApiCaller caller, OrganizationService organizations) =>
        (await organizations.DeleteAsync(caller, id)).ToNoContent();

    private static OrganizationResponse ToResponse(OrganizationView o) =>
        new(o.Id, o.CreatedAt, o.UpdatedAt, o.Name, o.Description, o.OwnerId, o.Role);
}
