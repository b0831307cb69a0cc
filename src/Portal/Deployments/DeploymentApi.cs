using Platform.Domain.Access;
using Platform.Domain.Applications;
using Platform.Domain.Common;
using Platform.Domain.Databases;
using Platform.Domain.Deployments;
using Platform.Domain.Environments;
using Platform.Domain.Services;
using Platform.Portal.Events;

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
        // A service's or environment's actions and status are listed with it; deployments of an environment apart.
        var group = api.MapGroup("");
        group.MapPost("/application/{id:guid}/deploy", (Guid id, DeployInput? request, ApiCaller caller, DeploymentService deployments) =>
                Accepted(deployments.DeployApplicationAsync(caller, id, request)))
            .WithTags("Application").Describe("deployApplication", "Deploy the branch head, or git_commit_id; answers 202 with the queued deployment").MayConflict().MayNeedPayment();
        group.MapPost("/application/{id:guid}/stop", (Guid id, ApiCaller caller, DeploymentService deployments) =>
                Accepted(deployments.ChangeServiceAsync(caller, Resource.Application(id), DeploymentKind.Stop)))
            .WithTags("Application").Describe("stopApplication", "Stop the application's instances").MayConflict();
        group.MapPost("/application/{id:guid}/restart", (Guid id, ApiCaller caller, DeploymentService deployments) =>
                Accepted(deployments.ChangeServiceAsync(caller, Resource.Application(id), DeploymentKind.Restart)))
            .WithTags("Application").Describe("restartApplication", "Start new instances of the running build with today's settings and variables, then stop the old ones").MayConflict().MayNeedPayment();
        group.MapGet("/application/{id:guid}/status", async (Guid id, ApiCaller caller, ApplicationService applications) =>
                (await applications.GetAsync(caller, id)).ToOk(a => new StatusResponse(a.Status)))
            .WithTags("Application").Describe("getApplicationStatus", "The application's current status");
        group.MapGet("/application/{id:guid}/deployment", (Guid id, HttpRequest http, ApiCaller caller, DeploymentService deployments) =>
                HistoryResults.ListAsync(http, query => deployments.ListForApplicationAsync(caller, id, query), ToResponse))
            .WithTags("Application").Describe("listApplicationDeployments", "The application's deployments, newest first (tail, page) or after lastId").WithHistoryQuery();

        group.MapPost("/database/{id:guid}/deploy", (Guid id, ApiCaller caller, DeploymentService deployments) =>
                Accepted(deployments.DeployDatabaseAsync(caller, id)))
            .WithTags("Database").Describe("deployDatabase", "Create the database and its role on the runtime's server, or open it again").MayConflict().MayNeedPayment();
        group.MapPost("/database/{id:guid}/stop", (Guid id, ApiCaller caller, DeploymentService deployments) =>
                Accepted(deployments.ChangeServiceAsync(caller, Resource.Database(id), DeploymentKind.Stop)))
            .WithTags("Database").Describe("stopDatabase", "Refuse new connections and close open ones; the data stays").MayConflict();
        group.MapPost("/database/{id:guid}/restart", (Guid id, ApiCaller caller, DeploymentService deployments) =>
                Accepted(deployments.ChangeServiceAsync(caller, Resource.Database(id), DeploymentKind.Restart)))
            .WithTags("Database").Describe("restartDatabase", "Close every connection and accept new ones").MayConflict().MayNeedPayment();
        group.MapGet("/database/{id:guid}/status", async (Guid id, ApiCaller caller, DatabaseService databases) =>
                (await databases.GetAsync(caller, id)).ToOk(d => new StatusResponse(d.Status)))
            .WithTags("Database").Describe("getDatabaseStatus", "The database's current status");
        group.MapGet("/database/{id:guid}/deployment", (Guid id, HttpRequest http, ApiCaller caller, DeploymentService deployments) =>
                HistoryResults.ListAsync(http, query => deployments.ListForDatabaseAsync(caller, id, query), ToResponse))
            .WithTags("Database").Describe("listDatabaseDeployments", "The database's deployments, newest first (tail, page) or after lastId").WithHistoryQuery();

        group.MapPost("/environment/{id:guid}/deploy", (Guid id, ApiCaller caller, DeploymentService deployments) =>
                Accepted(deployments.ChangeEnvironmentAsync(caller, id, DeploymentKind.Deploy)))
            .WithTags("Environment").Describe("deployEnvironment", "Deploy every application and database of the environment, as one deployment").MayConflict().MayNeedPayment();
        group.MapPost("/environment/{id:guid}/stop", (Guid id, ApiCaller caller, DeploymentService deployments) =>
                Accepted(deployments.ChangeEnvironmentAsync(caller, id, DeploymentKind.Stop)))
            .WithTags("Environment").Describe("stopEnvironment", "Stop every service of the environment").MayConflict();
        group.MapPost("/environment/{id:guid}/restart", (Guid id, ApiCaller caller, DeploymentService deployments) =>
                Accepted(deployments.ChangeEnvironmentAsync(caller, id, DeploymentKind.Restart)))
            .WithTags("Environment").Describe("restartEnvironment", "Restart every running service of the environment").MayConflict().MayNeedPayment();
        group.MapGet("/environment/{id:guid}/status", async (Guid id, ApiCaller caller, EnvironmentService environments) =>
                (await environments.GetAsync(caller, id)).ToOk(e => new StatusResponse(e.Status)))
            .WithTags("Environment").Describe("getEnvironmentStatus", "The environment's status, derived from its services: the worst wins");

        group.MapGet("/environment/{id:guid}/deployment", (Guid id, HttpRequest http, ApiCaller caller, DeploymentService deployments) =>
                HistoryResults.ListAsync(http, query => deployments.ListForEnvironmentAsync(caller, id, query), ToResponse))
            .WithTags("Deployment").Describe("listEnvironmentDeployments", "The environment's deployments, newest first (tail, page) or after lastId").WithHistoryQuery();
        group.MapGet("/environment/{envId:guid}/deployment/{id:guid}", async (Guid envId, Guid id, ApiCaller caller, DeploymentService deployments) =>
                (await deployments.GetAsync(caller, envId, id)).ToOk(ToResponse))
            .WithTags("Deployment").Describe("getEnvironmentDeployment", "One deployment, with its services' steps");
        group.MapPost("/environment/{envId:guid}/deployment/{id:guid}/abortDeploy", (Guid envId, Guid id, ApiCaller caller, DeploymentService deployments) =>
                Accepted(deployments.AbortAsync(caller, envId, id)))
            .WithTags("Deployment").Describe("abortEnvironmentDeployment", "Abort a queued or running deployment; what ran before keeps running").MayConflict();
        group.MapPost("/environment/{envId:guid}/deployment/{id:guid}/rollback", (Guid envId, Guid id, ApiCaller caller, DeploymentService deployments) =>
                Accepted(deployments.RollbackAsync(caller, envId, id)))
            .WithTags("Deployment").Describe("rollbackEnvironmentDeployment", "Redeploy every service as that successful deployment left it (commit, settings, variables), as a new deployment").MayConflict().MayNeedPayment();
        return group;
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
