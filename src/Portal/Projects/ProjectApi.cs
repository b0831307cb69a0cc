using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Platform.Domain.Projects;
using Platform.Portal.Infrastructure.Auth;
using Platform.Portal.Infrastructure.Problems;

namespace Platform.Portal.Projects;

public static class ProjectApi
{
    public sealed record ProjectResponse(Guid Id, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, Guid OrganizationId, string Name, string? Description, int TotalEnvironments);

    public static RouteGroupBuilder MapProjectApi(this RouteGroupBuilder api)
    {
        api.MapGet("/organization/{id:guid}/project", ListAsync).WithTags("Project").WithSummary("The organization's projects");
        api.MapPost("/organization/{id:guid}/project", CreateAsync).WithTags("Project").WithSummary("Create a project (ADMIN or OWNER)");
        api.MapGet("/project/{id:guid}", GetAsync).WithTags("Project").WithSummary("One project");
        api.MapPut("/project/{id:guid}", UpdateAsync).WithTags("Project").WithSummary("Rename or describe a project (ADMIN or OWNER)");
        api.MapDelete("/project/{id:guid}", DeleteAsync).WithTags("Project").WithSummary("Delete a project with its environments (ADMIN or OWNER)");
        return api;
    }

    private static async Task<Results<Ok<ListResponse<ProjectResponse>>, ProblemHttpResult>> ListAsync(Guid id, ClaimsPrincipal user, ProjectService projects) =>
        (await projects.ListAsync(user.ToCaller(), id)).ToOk(list => new ListResponse<ProjectResponse>(list.Select(ToResponse).ToList()));

    private static async Task<Results<Created<ProjectResponse>, ProblemHttpResult>> CreateAsync(Guid id, ProjectInput request, ClaimsPrincipal user, ProjectService projects) =>
        (await projects.CreateAsync(user.ToCaller(), id, request)).ToCreated(ToResponse, p => $"/api/project/{p.Id}");

    private static async Task<Results<Ok<ProjectResponse>, ProblemHttpResult>> GetAsync(Guid id, ClaimsPrincipal user, ProjectService projects) =>
        (await projects.GetAsync(user.ToCaller(), id)).ToOk(ToResponse);

    private static async Task<Results<Ok<ProjectResponse>, ProblemHttpResult>> UpdateAsync(Guid id, ProjectInput request, ClaimsPrincipal user, ProjectService projects) =>
        (await projects.UpdateAsync(user.ToCaller(), id, request)).ToOk(ToResponse);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, ClaimsPrincipal user, ProjectService projects) =>
        (await projects.DeleteAsync(user.ToCaller(), id)).ToNoContent();

    private static ProjectResponse ToResponse(ProjectView p) => new(p.Id, p.CreatedAt, p.UpdatedAt, p.OrganizationId, p.Name, p.Description, p.TotalEnvironments);
}
