using Platform.Domain.Events;
using Platform.Domain.Services;

namespace Platform.Domain.Deployments;

public sealed record ServiceDeploymentView(
    Guid Id,
    Guid EnvironmentDeploymentId,
    ServiceRef Service,
    ServiceAction Action,
    ServiceStatus Status,
    Person? Owner,
    CommitView? Commit,
    IReadOnlyList<DeploymentStep> Steps,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    bool CanRollBack = false);

public sealed record EnvironmentDeploymentView(
    Guid Id,
    Guid EnvironmentId,
    DeploymentKind Kind,
    ServiceStatus Status,
    Person? Owner,
    Guid? RollbackOfId,
    bool CanRollBack,
    IReadOnlyList<ServiceDeploymentView> Services,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt)
{
    /// <summary>The commit of its first service that has one, taken from the services already read rather than queried again.</summary>
    public CommitView? Commit => Services.FirstOrDefault(s => s.Commit is not null)?.Commit;
}

/// <summary>
/// The one rule of what can be rolled back to, both for the rollback request and for the offer on the pages (a service
/// deployment offers that of its environment deployment): a deploy or a rollback that ended OK and left a snapshot.
/// Stops, restarts, archives, deletions and restores are not releases to go back to.
/// </summary>
public static class Rollbacks
{
    public static bool CanRollBackTo(DeploymentKind kind, DeploymentState state, bool hasSnapshot) =>
        kind is DeploymentKind.Deploy or DeploymentKind.Rollback && state == DeploymentState.Ok && hasSnapshot;
}

/// <summary>How deployment states read in the shared status shape.</summary>
public static class DeploymentStatus
{
    public static ServiceStatus Of(DeploymentState state, string? message) => new(
        System.Text.Json.JsonNamingPolicy.SnakeCaseUpper.ConvertName(state.ToString()),
        state switch
        {
            DeploymentState.Ok => SimpleState.Ok,
            DeploymentState.Failed => SimpleState.Error,
            _ => SimpleState.Warning,
        },
        message ?? DefaultMessage(state));

    public static string DefaultMessage(DeploymentState state) => state switch
    {
        DeploymentState.Queued => "Queued: it starts as soon as no other deployment of the environment is in progress.",
        DeploymentState.DeploymentInProgress => "Deployment is in progress.",
        DeploymentState.Ok => "Done.",
        DeploymentState.Failed => "Failed.",
        DeploymentState.Aborting => "Aborting: stopping the step in progress.",
        _ => "Aborted: nothing it started was kept; what ran before still runs.",
    };
}
