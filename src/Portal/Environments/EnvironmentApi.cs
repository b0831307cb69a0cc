using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Platform.Domain.Environments;
using Platform.Domain.Services;
using Platform.Portal.Clusters;
using Platform.Portal.Events;
using Platform.Portal.Infrastructure;
using Platform.Portal.Infrastructure.Auth;
using Platform.Portal.Infrastructure.Problems;

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
        var tags = new[] { "Environment" };
        api.MapGet("/project/{id:guid}/environment", ListAsync).WithTags(tags)
            .WithSummary("The project's environments; ?archived=true lists the archived ones");
        api.MapPost("/project/{id:guid}/environment", CreateAsync).WithTags(tags).WithSummary("Create an environment");
        api.MapGet("/environment/{id:guid}", GetAsync).WithTags(tags).WithSummary("One environment");
        api.MapPut("/environment/{id:guid}", UpdateAsync).WithTags(tags).WithSummary("Rename an environment, or change its mode or cluster");
        api.MapDelete("/environment/{id:guid}", DeleteAsync).WithTags(tags).WithSummary("Delete an environment and its services");
        api.MapPost("/environment/{id:guid}/archive", ArchiveAsync).WithTags(tags).WithSummary("Stop its services and freeze it until unarchived");
        api.MapPost("/environment/{id:guid}/unarchive", UnarchiveAsync).WithTags(tags).WithSummary("Make an archived environment changeable again");
        api.MapPost("/environment/{id:guid}/clone", CloneAsync).WithTags(tags)
            .WithSummary("Copy the environment's services (settings only) into a new environment");
        return api;
    }

    private static async Task<Results<Ok<ListResponse<EnvironmentResponse>>, ProblemHttpResult>> ListAsync(
        Guid id, bool? archived, HttpRequest http, ClaimsPrincipal user, EnvironmentService environments, PortalLinks links) =>
        (await environments.ListAsync(user.ToCaller(), id, archived ?? false))
            .ToOk(list => new ListResponse<EnvironmentResponse>(list.Select(e => ToResponse(e, links.For(http))).ToList()));

    private static async Task<Results<Created<EnvironmentResponse>, ProblemHttpResult>> CreateAsync(
        Guid id, EnvironmentInput request, HttpRequest http, ClaimsPrincipal user, EnvironmentService environments, PortalLinks links) =>
        (await environments.CreateAsync(user.ToCaller(), id, request)).ToCreated(e => ToResponse(e, links.For(http)), e => $"/api/environment/{e.Id}");

    private static async Task<Results<Ok<EnvironmentResponse>, ProblemHttpResult>> GetAsync(
        Guid id, HttpRequest http, ClaimsPrincipal user, EnvironmentService environments, PortalLinks links) =>
        (await environments.GetAsync(user.ToCaller(), id)).ToOk(e => ToResponse(e, links.For(http)));

    private static async Task<Results<Ok<EnvironmentResponse>, ProblemHttpResult>> UpdateAsync(
        Guid id, EnvironmentInput request, HttpRequest http, ClaimsPrincipal user, EnvironmentService environments, PortalLinks links) =>
        (await environments.UpdateAsync(user.ToCaller(), id, request)).ToOk(e => ToResponse(e, links.For(http)));

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, ClaimsPrincipal user, EnvironmentService environments) =>
        (await environments.DeleteAsync(user.ToCaller(), id)).ToNoContent();

    private static async Task<Results<Ok<EnvironmentResponse>, ProblemHttpResult>> ArchiveAsync(
        Guid id, HttpRequest http, ClaimsPrincipal user, EnvironmentService environments, PortalLinks links) =>
        (await environments.ArchiveAsync(user.ToCaller(), id)).ToOk(e => ToResponse(e, links.For(http)));

    private static async Task<Results<Ok<EnvironmentResponse>, ProblemHttpResult>> UnarchiveAsync(
        Guid id, HttpRequest http, ClaimsPrincipal user, EnvironmentService environments, PortalLinks links) =>
        (await environments.UnarchiveAsync(user.ToCaller(), id)).ToOk(e => ToResponse(e, links.For(http)));

    private static async Task<Results<Created<EnvironmentResponse>, ProblemHttpResult>> CloneAsync(
        Guid id, CloneInput request, HttpRequest http, ClaimsPrincipal user, EnvironmentService environments, PortalLinks links) =>
        (await environments.CloneAsync(user.ToCaller(), id, request)).ToCreated(e => ToResponse(e, links.For(http)), e => $"/api/environment/{e.Id}");

    private static EnvironmentResponse ToResponse(EnvironmentView e, Uri portal) => new(
        e.Id, e.CreatedAt, e.UpdatedAt, e.Name, e.Mode, e.Status, EventApi.ToResponse(e.LastUpdater),
        ClusterApi.ToResponse(e.CloudProvider, e.ClusterId, portal), e.TotalServices, e.Archived, e.ProjectId, e.ClusterId);
}
