using Platform.Domain.Environments;
using Platform.Domain.Services;
using Platform.Portal.Clusters;
using Platform.Portal.Events;
using Platform.Portal.Infrastructure;

namespace Platform.Portal.Environments;

public static class EnvironmentApi
{
    public sealed record EnvironmentResponse(
        Guid Id,
        DateTimeOffset CreatedAt,
        DateTimeOffset UpdatedAt,
        string Name,
        EnvironmentMode Mode,
        ServiceStatus Status,
        EventApi.OwnerResponse? LastUpdater,
        ClusterApi.CloudProviderResponse CloudProvider,
        int TotalServices,
        bool Archived,
        Guid ProjectId,
        Guid ClusterId);

    public static RouteGroupBuilder MapEnvironmentApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("").WithTags("Environment");
        group.MapGet("/project/{id:guid}/environment", ListAsync).Describe("listEnvironments", "The project's environments; ?archived=true lists the archived ones");
        group.MapPost("/project/{id:guid}/environment", CreateAsync).Describe("createEnvironment", "Create an environment").MayConflict();
        group.MapGet("/environment/{id:guid}", GetAsync).Describe("getEnvironment", "One environment");
        group.MapPut("/environment/{id:guid}", UpdateAsync).Describe("updateEnvironment", "Rename an environment, or change its mode or cluster").MayConflict();
        group.MapDelete("/environment/{id:guid}", DeleteAsync).Describe("deleteEnvironment", "Delete an environment and its services").MayConflict();
        group.MapPost("/environment/{id:guid}/archive", ArchiveAsync).Describe("archiveEnvironment", "Stop its services and freeze it until unarchived").MayConflict();
        group.MapPost("/environment/{id:guid}/unarchive", UnarchiveAsync).Describe("unarchiveEnvironment", "Make an archived environment changeable again").MayConflict();
        group.MapPost("/environment/{id:guid}/clone", CloneAsync).Describe("cloneEnvironment", "Copy the environment's services (settings only) into a new environment").MayConflict();
        return group;
    }

    private static async Task<Results<Ok<ListResponse<EnvironmentResponse>>, ProblemHttpResult>> ListAsync(
        Guid id, bool? archived, HttpRequest http, ApiCaller caller, EnvironmentService environments, PortalLinks links) =>
        (await environments.ListAsync(caller, id, archived ?? false))
            .ToOk(list => new ListResponse<EnvironmentResponse>(list.Select(e => ToResponse(e, links.For(http))).ToList()));

    private static async Task<Results<Created<EnvironmentResponse>, ProblemHttpResult>> CreateAsync(
        Guid id, EnvironmentInput request, HttpRequest http, ApiCaller caller, EnvironmentService environments, PortalLinks links) =>
        (await environments.CreateAsync(caller, id, request)).ToCreated(e => ToResponse(e, links.For(http)), e => $"/api/environment/{e.Id}");

    private static async Task<Results<Ok<EnvironmentResponse>, ProblemHttpResult>> GetAsync(
        Guid id, HttpRequest http, ApiCaller caller, EnvironmentService environments, PortalLinks links) =>
        (await environments.GetAsync(caller, id)).ToOk(e => ToResponse(e, links.For(http)));

    private static async Task<Results<Ok<EnvironmentResponse>, ProblemHttpResult>> UpdateAsync(
        Guid id, EnvironmentInput request, HttpRequest http, ApiCaller caller, EnvironmentService environments, PortalLinks links) =>
        (await environments.UpdateAsync(caller, id, request)).ToOk(e => ToResponse(e, links.For(http)));

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, ApiCaller caller, EnvironmentService environments) =>
        (await environments.DeleteAsync(caller, id)).ToNoContent();

    private static async Task<Results<Ok<EnvironmentResponse>, ProblemHttpResult>> ArchiveAsync(
        Guid id, HttpRequest http, ApiCaller caller, EnvironmentService environments, PortalLinks links) =>
        (await environments.ArchiveAsync(caller, id)).ToOk(e => ToResponse(e, links.For(http)));

    private static async Task<Results<Ok<EnvironmentResponse>, ProblemHttpResult>> UnarchiveAsync(
        Guid id, HttpRequest http, ApiCaller caller, EnvironmentService environments, PortalLinks links) =>
        (await environments.UnarchiveAsync(caller, id)).ToOk(e => ToResponse(e, links.For(http)));

    private static async Task<Results<Created<EnvironmentResponse>, ProblemHttpResult>> CloneAsync(
        Guid id, CloneInput request, HttpRequest http, ApiCaller caller, EnvironmentService environments, PortalLinks links) =>
        (await environments.CloneAsync(caller, id, request)).ToCreated(e => ToResponse(e, links.For(http)), e => $"/api/environment/{e.Id}");

    private static EnvironmentResponse ToResponse(EnvironmentView e, Uri portal) => new(
        e.Id, e.CreatedAt, e.UpdatedAt, e.Name, e.Mode, e.Status, EventApi.ToResponse(e.LastUpdater),
        ClusterApi.ToResponse(e.CloudProvider, e.ClusterId, portal), e.TotalServices, e.Archived, e.ProjectId, e.ClusterId);
}
