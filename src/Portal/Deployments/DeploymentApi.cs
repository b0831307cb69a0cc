using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Platform.Domain.Access;
using Platform.Domain.Applications;
using Platform.Domain.Common;
using Platform.Domain.Databases;
using Platform.Domain.Deployments;
using Platform.Domain.Environments;
using Platform.Domain.Services;
using Platform.Portal.Events;
using Platform.Portal.Infrastructure.Auth;
using Platform.Portal.Infrastructure.Problems;

namespace Platform.Portal.Deployments;

/// <summary>Deploy, stop, restart, abort and roll back; statuses; deployment histories (PRODUCT.md sections 5 and 6).</summary>
public static class DeploymentApi
{
    public sealed record StatusResponse(ServiceStatus Status);

    public sealed record StepResponse(string Name, StepState State, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

    public sealed record ServiceDeploymentResponse(
        Guid Id,
        DateTimeOffset CreatedAt,
        Guid EnvironmentDeploymentId,
        EventApi.ServiceResponse Service,
        ServiceAction Action,
        ServiceStatus Status,
        EventApi.OwnerResponse? Owner,
        EventApi.CommitResponse? Commit,
        IReadOnlyList<StepResponse> Steps,
        int Progress,
        DateTimeOffset? StartedAt,
        DateTimeOffset? FinishedAt);

    public sealed record DeploymentResponse(
        Guid Id,
        DateTimeOffset CreatedAt,
        Guid EnvironmentId,
        DeploymentKind Kind,
        ServiceStatus Status,
        EventApi.OwnerResponse? Owner,
        EventApi.CommitResponse? Commit,
        Guid? RollbackOfId,
        bool CanRollBack,
        IReadOnlyList<ServiceDeploymentResponse> Services,
        DateTimeOffset? StartedAt,
        DateTimeOffset? FinishedAt);

    public static RouteGroupBuilder MapDeploymentApi(this RouteGroupBuilder api)
    {
        var application = new[] { "Application" };
        var database = new[] { "Database" };
        var environment = new[] { "Environment" };
        var deployment = new[] { "Deployment" };

        api.MapPost("/application/{id:guid}/deploy", (Guid id, DeployInput? request, ClaimsPrincipal user, DeploymentService deployments) =>
                Accepted(deployments.DeployApplicationAsync(user.ToCaller(), id, request)))
            .WithTags(application).WithSummary("Deploy the branch head, or git_commit_id; answers 202 with the queued deployment");
        api.MapPost("/application/{id:guid}/stop", (Guid id, ClaimsPrincipal user, DeploymentService deployments) =>
                Accepted(deployments.ChangeServiceAsync(user.ToCaller(), Resource.Application(id), DeploymentKind.Stop)))
            .WithTags(application).WithSummary("Stop the application's instances");
        api.MapPost("/application/{id:guid}/restart", (Guid id, ClaimsPrincipal user, DeploymentService deployments) =>
                Accepted(deployments.ChangeServiceAsync(user.ToCaller(), Resource.Application(id), DeploymentKind.Restart)))
            .WithTags(application).WithSummary("Start new instances of the running build with today's settings and variables, then stop the old ones");
        api.MapGet("/application/{id:guid}/status", async (Guid id, ClaimsPrincipal user, ApplicationService applications) =>
                (await applications.GetAsync(user.ToCaller(), id)).ToOk(a => new StatusResponse(a.Status)))
            .WithTags(application).WithSummary("The application's current status");
        api.MapGet("/application/{id:guid}/deployment", (Guid id, HttpRequest http, ClaimsPrincipal user, DeploymentService deployments) =>
                HistoryResults.ListAsync(http, query => deployments.ListForApplicationAsync(user.ToCaller(), id, query), ToResponse))
            .WithTags(application).WithSummary("The application's deployments, newest first (tail, page) or after lastId");

        api.MapPost("/database/{id:guid}/deploy", (Guid id, ClaimsPrincipal user, DeploymentService deployments) =>
                Accepted(deployments.DeployDatabaseAsync(user.ToCaller(), id)))
            .WithTags(database).WithSummary("Create the database and its role on the runtime's server, or open it again");
        api.MapPost("/database/{id:guid}/stop", (Guid id, ClaimsPrincipal user, DeploymentService deployments) =>
                Accepted(deployments.ChangeServiceAsync(user.ToCaller(), Resource.Database(id), DeploymentKind.Stop)))
            .WithTags(database).WithSummary("Refuse new connections and close open ones; the data stays");
        api.MapPost("/database/{id:guid}/restart", (Guid id, ClaimsPrincipal user, DeploymentService deployments) =>
                Accepted(deployments.ChangeServiceAsync(user.ToCaller(), Resource.Database(id), DeploymentKind.Restart)))
            .WithTags(database).WithSummary("Close every connection and accept new ones");
        api.MapGet("/database/{id:guid}/status", async (Guid id, ClaimsPrincipal user, DatabaseService databases) =>
                (await databases.GetAsync(user.ToCaller(), id)).ToOk(d => new StatusResponse(d.Status)))
            .WithTags(database).WithSummary("The database's current status");
        api.MapGet("/database/{id:guid}/deployment", (Guid id, HttpRequest http, ClaimsPrincipal user, DeploymentService deployments) =>
                HistoryResults.ListAsync(http, query => deployments.ListForDatabaseAsync(user.ToCaller(), id, query), ToResponse))
            .WithTags(database).WithSummary("The database's deployments, newest first (tail, page) or after lastId");

        foreach (var (verb, kind, summary) in new[]
        {
            ("deploy", DeploymentKind.Deploy, "Deploy every application and database of the environment, as one deployment"),
            ("stop", DeploymentKind.Stop, "Stop every service of the environment"),
            ("restart", DeploymentKind.Restart, "Restart every running service of the environment"),
        })
        {
            api.MapPost($"/environment/{{id:guid}}/{verb}", (Guid id, ClaimsPrincipal user, DeploymentService deployments) =>
                    Accepted(deployments.ChangeEnvironmentAsync(user.ToCaller(), id, kind)))
                .WithTags(environment).WithSummary(summary);
        }

        api.MapGet("/environment/{id:guid}/status", async (Guid id, ClaimsPrincipal user, EnvironmentService environments) =>
                (await environments.GetAsync(user.ToCaller(), id)).ToOk(e => new StatusResponse(e.Status)))
            .WithTags(environment).WithSummary("The environment's status, derived from its services: the worst wins");
        api.MapGet("/environment/{id:guid}/deployment", (Guid id, HttpRequest http, ClaimsPrincipal user, DeploymentService deployments) =>
                HistoryResults.ListAsync(http, query => deployments.ListForEnvironmentAsync(user.ToCaller(), id, query), ToResponse))
            .WithTags(deployment).WithSummary("The environment's deployments, newest first (tail, page) or after lastId");
        api.MapGet("/environment/{envId:guid}/deployment/{id:guid}", async (Guid envId, Guid id, ClaimsPrincipal user, DeploymentService deployments) =>
                (await deployments.GetAsync(user.ToCaller(), envId, id)).ToOk(ToResponse))
            .WithTags(deployment).WithSummary("One deployment, with its services' steps");
        api.MapPost("/environment/{envId:guid}/deployment/{id:guid}/abortDeploy", (Guid envId, Guid id, ClaimsPrincipal user, DeploymentService deployments) =>
                Accepted(deployments.AbortAsync(user.ToCaller(), envId, id)))
            .WithTags(deployment).WithSummary("Abort a queued or running deployment; what ran before keeps running");
        api.MapPost("/environment/{envId:guid}/deployment/{id:guid}/rollback", (Guid envId, Guid id, ClaimsPrincipal user, DeploymentService deployments) =>
                Accepted(deployments.RollbackAsync(user.ToCaller(), envId, id)))
            .WithTags(deployment).WithSummary("Redeploy every service as that successful deployment left it (commit, settings, variables), as a new deployment");
        return api;
    }

    private static async Task<Results<Accepted<DeploymentResponse>, ProblemHttpResult>> Accepted(Task<Result<EnvironmentDeploymentView>> request) =>
        (await request).ToAccepted(ToResponse, d => $"/api/environment/{d.EnvironmentId}/deployment/{d.Id}");

    public static DeploymentResponse ToResponse(EnvironmentDeploymentView d) => new(
        d.Id, d.CreatedAt, d.EnvironmentId, d.Kind, d.Status, EventApi.ToResponse(d.Owner), Commit(d.Commit), d.RollbackOfId, d.CanRollBack,
        d.Services.Select(ToResponse).ToList(), d.StartedAt, d.FinishedAt);

    public static ServiceDeploymentResponse ToResponse(ServiceDeploymentView s) => new(
        s.Id, s.CreatedAt, s.EnvironmentDeploymentId, new EventApi.ServiceResponse(s.Service.Type, s.Service.Id, s.Service.Name), s.Action, s.Status,
        EventApi.ToResponse(s.Owner), Commit(s.Commit), s.Steps.Select(t => new StepResponse(t.Name, t.State, t.StartedAt, t.FinishedAt)).ToList(),
        DeploymentSteps.Progress(s.Steps), s.StartedAt, s.FinishedAt);

    private static EventApi.CommitResponse? Commit(Domain.Events.CommitView? commit) =>
        commit is null ? null : new EventApi.CommitResponse(commit.ShortId, commit.LongId, commit.Message);
}
