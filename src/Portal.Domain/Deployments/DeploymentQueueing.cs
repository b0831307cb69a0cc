using Microsoft.EntityFrameworkCore;
using Platform.Domain.Common;
using Platform.Domain.Environments;
using Platform.Domain.Events;
using Platform.Domain.Services;

namespace Platform.Domain.Deployments;

/// <summary>A service as a request finds it, to queue what it asks of it.</summary>
internal sealed record QueuedService(ServiceType Type, Guid Id, string Name, ServiceState State, string? Message, Guid? LiveDeploymentId);

/// <summary>What one service deployment of a request does: its action, the commit asked for, the release it runs again.</summary>
internal sealed record QueuedOrder(QueuedService Service, ServiceAction Action, string? Commit = null, Guid? Source = null);

/// <summary>
/// The one way into the queue: every request that changes what runs (deploy, stop, restart, rollback, archive, delete,
/// and the restore after a restart) becomes an environment deployment here, in the environment's row lock, so that
/// the engine alone carries it out; and the one check that a deployment holds the environment.
/// </summary>
internal static class DeploymentQueueing
{
    /// <summary>Whether a deployment of the environment is queued, in progress or aborting: the engine may be changing what runs.</summary>
    public static Task<bool> HasActiveAsync(PlatformDbContext db, Guid environmentId) =>
        db.EnvironmentDeployments.AnyAsync(d => d.EnvironmentId == environmentId && DeploymentStates.Active.Contains(d.State));

    /// <summary>Whether the environment, or one of its services, is being deleted: nothing more may be asked of it.</summary>
    public static Task<bool> IsBeingDeletedAsync(PlatformDbContext db, Guid environmentId) =>
        db.EnvironmentDeployments.AnyAsync(d => d.EnvironmentId == environmentId && DeploymentStates.Active.Contains(d.State)
            && (d.Kind == DeploymentKind.Delete || d.Kind == DeploymentKind.DeleteEnvironment));

    /// <summary>409 for a change that must wait for the deployment holding the environment; <paramref name="change"/> says what waits ("archiving it").</summary>
    public static DomainError UnderWayConflict(ProjectEnvironment environment, string change) =>
        DomainError.Conflict($"The environment \"{environment.Name}\" has a deployment queued or in progress: wait until it ends, or abort it, before {change}.");

    public static async Task<List<QueuedService>> ServicesAsync(PlatformDbContext db, Guid environmentId, Guid? only = null)
    {
        var applications = await db.Applications.Where(a => a.EnvironmentId == environmentId && (only == null || a.Id == only))
            .Select(a => new QueuedService(ServiceType.Application, a.Id, a.Name, a.State, a.StateMessage, a.LiveDeploymentId)).ToListAsync();
        var databases = await db.Databases.Where(d => d.EnvironmentId == environmentId && (only == null || d.Id == only))
            .Select(d => new QueuedService(ServiceType.Database, d.Id, d.Name, d.State, d.StateMessage, d.LiveDeploymentId)).ToListAsync();
        return [.. databases, .. applications];
    }

    /// <summary>
    /// Queues an environment deployment with one service deployment per order (databases first, so applications start
    /// against them; then each kind by name), each service QUEUED with an event, and saves. The caller commits its
    /// transaction (it holds the environment's row lock) and wakes the engine.
    /// </summary>
    public static async Task<EnvironmentDeployment> AddAsync(
        PlatformDbContext db, Guid organizationId, ProjectEnvironment environment, Guid? ownerId, DateTimeOffset now, DeploymentKind kind, IReadOnlyList<QueuedOrder> orders, Guid? rollbackOf = null)
    {
        var deployment = new EnvironmentDeployment
        {
            OrganizationId = organizationId,
            EnvironmentId = environment.Id,
            Kind = kind,
            RollbackOfId = rollbackOf,
            OwnerId = ownerId,
            CreatedAt = now,
        };
        var transitions = new ServiceTransitions(db, organizationId, now, deployment.Id);
        foreach (var order in orders.OrderBy(o => o.Service.Type == ServiceType.Database ? 0 : 1).ThenBy(o => o.Service.Name, StringComparer.Ordinal))
        {
            var service = order.Service;
            deployment.Services.Add(new ServiceDeployment
            {
                Position = deployment.Services.Count,
                OrganizationId = organizationId,
                EnvironmentId = environment.Id,
                ServiceType = service.Type,
                ServiceId = service.Id,
                ServiceName = service.Name,
                Action = order.Action,
                RequestedCommitId = order.Commit,
                SourceDeploymentId = order.Source,
                PreviousState = service.State,
                PreviousMessage = service.Message,
                Steps = DeploymentSteps.For(service.Type, order.Action).Select(name => new DeploymentStep(name, StepState.Pending, null, null)).ToList(),
                OwnerId = ownerId,
                CreatedAt = now,
            });
            var message = $"{Verb(order.Action)} queued{(order.Commit is null ? "" : $" at commit {order.Commit}")}.";
            await transitions.SetAsync(service.Type, service.Id, ServiceState.Queued, message, ownerId, commit: null);
        }

        db.EnvironmentDeployments.Add(deployment);
        var summary = orders.Count == 1 ? $"{Verb(orders[0].Action)} of {orders[0].Service.Name}" : $"{kind} of {orders.Count} services";
        transitions.Add(EnvironmentEvent(deployment, organizationId, "QUEUED", $"{summary} queued.", ownerId, now));
        await transitions.SaveAsync();
        return deployment;
    }

    /// <summary>
    /// Waits until the deployment ended (or, for the deletion of its environment, is gone with it); answers its state,
    /// or null when it has not ended within the timeout (it goes on).
    /// </summary>
    public static async Task<DeploymentState?> WaitAsync(IDbContextFactory<PlatformDbContext> dbFactory, DeploymentSignals signals, Guid deploymentId, TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        while (true)
        {
            var ended = signals.WhenEnded(deploymentId);
            await using (var db = await dbFactory.CreateDbContextAsync(CancellationToken.None))
            {
                var state = await db.EnvironmentDeployments.Where(d => d.Id == deploymentId).Select(d => (DeploymentState?)d.State).FirstOrDefaultAsync(CancellationToken.None);
                if (state is null)
                {
                    return DeploymentState.Ok;
                }

                if (DeploymentStates.IsFinished(state.Value))
                {
                    return state;
                }
            }

            if (limit.IsCancellationRequested)
            {
                return null;
            }

            // The engine says when it ends; the poll covers a signal missed in between.
            await Task.WhenAny(ended, Task.Delay(TimeSpan.FromSeconds(1), limit.Token).ContinueWith(_ => { }, TaskScheduler.Default));
        }
    }

    public static string Verb(ServiceAction action) => action switch
    {
        ServiceAction.Stop => "Stop",
        ServiceAction.Restart => "Restart",
        ServiceAction.Delete => "Deletion",
        _ => "Deployment",
    };

    public static PlatformEvent EnvironmentEvent(EnvironmentDeployment deployment, Guid organizationId, string state, string message, Guid? ownerId, DateTimeOffset at) =>
        EventLog.New(new EventSubject(organizationId, deployment.EnvironmentId, ServiceType.Environment, deployment.EnvironmentId, "environment"), state,
            state is "FAILED" ? SimpleState.Error : state is "OK" ? SimpleState.Ok : SimpleState.Warning, message, ownerId, at, deploymentId: deployment.Id);
}
