using Platform.Domain.Projects;

namespace Platform.Portal.Projects;

public static class ProjectApi
{
    public sealed record ProjectResponse(Guid Id, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, Guid OrganizationId, string Name, string? Description, int TotalEnvironments);

    public static RouteGroupBuilder MapProjectApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("").WithTags("Project");
        group.MapGet("/organization/{id:guid}/project", ListAsync).Describe("listProjects", "The organization's projects");
        group.MapPost("/organization/{id:guid}/project", CreateAsync).Describe("createProject", "Create a project (ADMIN or OWNER)");
        group.MapGet("/project/{id:guid}", GetAsync).Describe("getProject", "One project");
        group.MapPut("/project/{id:guid}", UpdateAsync).Describe("updateProject", "Rename or describe a project (ADMIN or OWNER)");
        group.MapDelete("/project/{id:guid}", DeleteAsync).Describe("deleteProject", "Delete a project with its environments (ADMIN or OWNER)").MayConflict();
        return group;
    }

    private static async Task<Results<Ok<ListResponse<ProjectResponse>>, ProblemHttpResult>> ListAsync(Guid id, ApiCaller caller, ProjectService projects) =>
        (await projects.ListAsync(caller, id)).ToOk(list => new ListResponse<ProjectResponse>(list.Select(ToResponse).ToList()));

    private static async Task<Results<Created<ProjectResponse>, ProblemHttpResult>> CreateAsync(Guid id, ProjectInput request, ApiCaller caller, ProjectService projects) =>
        (await projects.CreateAsync(caller, id, request)).ToCreated(ToResponse, p => $"/api/project/{p.Id}");

    private static async Task<Results<Ok<ProjectResponse>, ProblemHttpResult>> GetAsync(Guid id, ApiCaller caller, ProjectService projects) =>
        (await projects.GetAsync(caller, id)).ToOk(ToResponse);

    private static async Task<Results<Ok<ProjectResponse>, ProblemHttpResult>> UpdateAsync(Guid id, ProjectInput request, ApiCaller caller, ProjectService projects) =>
        (await projects.UpdateAsync(caller, id, request)).ToOk(ToResponse);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, ApiCaller caller, ProjectService projects) =>
        (await projects.DeleteAsync(caller, id)).ToNoContent();

    private static ProjectResponse ToResponse(ProjectView p) => new(p.Id, p.CreatedAt, p.UpdatedAt, p.OrganizationId, p.Name, p.Description, p.TotalEnvironments);
}
