using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Platform.Domain.Access;
using Platform.Domain.Billing;
using Platform.Domain.Common;
using Platform.Domain.Environments;
using Platform.Domain.Events;
using Platform.Domain.Runtime;
using Platform.Domain.Services;

namespace Platform.Domain.Deployments;

public sealed record DeployInput(string? GitCommitId);

/// <summary>
/// Requests that change what runs (deploy, stop, restart of a service or of a whole environment; abort; rollback)
/// and the deployment histories. A request is queued here, as an environment deployment in PostgreSQL, in the
/// environment's row lock; the <see cref="DeploymentEngine"/> carries them out one at a time per environment.
/// </summary>
public sealed class DeploymentService(
    IDbContextFactory<PlatformDbContext> dbFactory, TenantAccess access, EnvironmentLocks environments, DeploymentSignals signals, IRuntimes runtimes, TimeProvider clock)
{
    public Task<Result<EnvironmentDeploymentView>> DeployApplicationAsync(Caller caller, Guid applicationId, DeployInput? input) =>
        RequestForServiceAsync(caller, Resource.Application(applicationId), DeploymentKind.Deploy, input?.GitCommitId);

    public Task<Result<EnvironmentDeploymentView>> DeployDatabaseAsync(Caller caller, Guid databaseId) =>
        RequestForServiceAsync(caller, Resource.Database(databaseId), DeploymentKind.Deploy, null);

    /// <summary>Stop or restart one application or database.</summary>
    public Task<Result<EnvironmentDeploymentView>> ChangeServiceAsync(Caller caller, Resource service, DeploymentKind kind) =>
        RequestForServiceAsync(caller, service, kind, null);

    /// <summary>Deploy, stop or restart every service of the environment, as one deployment.</summary>
    public async Task<Result<EnvironmentDeploymentView>> ChangeEnvironmentAsync(Caller caller, Guid environmentId, DeploymentKind kind)
    {
        var found = await environments.FindChangeableAsync(caller, environmentId);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }

        await using var change = found.Value;
        var services = await DeploymentQueueing.ServicesAsync(change.Db, environmentId);
        var chosen = kind switch
        {
            DeploymentKind.Restart => services.Where(s => s.LiveDeploymentId is not null).ToList(),
            DeploymentKind.Stop => services.Where(s => s.LiveDeploymentId is not null || s.State != ServiceState.Stopped).ToList(),
            _ => services,
        };
        if (chosen.Count == 0)
        {
            return DomainError.Conflict(kind switch
            {
                DeploymentKind.Restart => "Nothing to restart: no service of this environment is running. Deploy it first.",
                DeploymentKind.Stop => "Nothing to stop: every service of this environment is already stopped.",
                _ => "Nothing to deploy: this environment has no application or database yet.",
            });
        }

        return await QueueAsync(change, kind, chosen.Select(s => new QueuedOrder(s, Action(kind))).ToList(), rollbackOf: null);
    }

    public Task<Result<EnvironmentDeploymentView>> AbortAsync(Caller caller, Guid environmentId, Guid deploymentId) =>
        access.WithAsync<EnvironmentDeploymentView>(caller, Resource.Environment(environmentId), Permission.ManageServices, async allowed =>
        {
            bool inProgress;
            await using (var db = await dbFactory.CreateDbContextAsync())
            {
                await using var transaction = await db.Database.BeginTransactionAsync();
                var deployment = await db.EnvironmentDeployments
                    .FromSql($"SELECT * FROM environment_deployment WHERE id = {deploymentId} AND environment_id = {environmentId} FOR UPDATE")
                    .Include(d => d.Services).OneOrNoneAsync();
                if (deployment is null)
                {
                    return DomainError.NotFound("The deployment");
                }

                if (DeploymentStates.IsFinished(deployment.State))
                {
                    return DomainError.Conflict($"This deployment already ended ({DeploymentStatus.Of(deployment.State, null).State}): there is nothing to abort.");
                }

                // One aborted while queued never runs: only one in progress (or aborting already) has a step to stop.
                inProgress = deployment.State != DeploymentState.Queued;
                var now = clock.GetUtcNow();
                if (deployment.State == DeploymentState.Queued)
                {
                    var transitions = new ServiceTransitions(db, allowed.OrganizationId, now, deployment.Id);
                    deployment.End(DeploymentState.Aborted, "Aborted before it started.", now);
                    foreach (var service in deployment.Services.OrderBy(s => s.Position))
                    {
                        service.End(DeploymentState.Aborted, deployment.Message!, now);
                        await transitions.RestoreAsync(service, caller.UserId, "Deployment aborted before it started.");
                    }

                    transitions.Add(DeploymentQueueing.EnvironmentEvent(deployment, allowed.OrganizationId, "ABORTED", deployment.Message!, caller.UserId, now));
                    await transitions.SaveAsync();
                }
                else if (deployment.State == DeploymentState.DeploymentInProgress)
                {
                    deployment.State = DeploymentState.Aborting;
                    deployment.Message = "Aborting: stopping the step in progress.";
                    await db.SaveWithEventsAsync([DeploymentQueueing.EnvironmentEvent(deployment, allowed.OrganizationId, "ABORTING", deployment.Message, caller.UserId, now)]);
                }

                await transaction.CommitAsync();
            }

            if (inProgress)
            {
                signals.Abort(deploymentId);
            }

            return await GetAsync(caller, environmentId, deploymentId);
        });

    /// <summary>Redeploys every service from the snapshot the chosen successful deployment left, as a new deployment.</summary>
    public async Task<Result<EnvironmentDeploymentView>> RollbackAsync(Caller caller, Guid environmentId, Guid deploymentId)
    {
        var found = await environments.FindChangeableAsync(caller, environmentId);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }

        await using var change = found.Value;
        var target = await change.Db.EnvironmentDeployments.AsNoTracking().FirstOrDefaultAsync(d => d.Id == deploymentId && d.EnvironmentId == environmentId);
        if (target is null)
        {
            return DomainError.NotFound("The deployment");
        }

        if (!Rollbacks.CanRollBackTo(target.Kind, target.State, target.Snapshot is not null))
        {
            return DomainError.Conflict("Only a deploy or a rollback that succeeded can be rolled back to: this one left no release to restore.");
        }

        var services = await DeploymentQueueing.ServicesAsync(change.Db, environmentId);
        var orders = new List<QueuedOrder>();
        foreach (var entry in target.Snapshot!)
        {
            if (services.FirstOrDefault(s => s.Id == entry.ServiceId) is { } service)
            {
                orders.Add(entry.LiveDeploymentId is { } source
                    ? new QueuedOrder(service, ServiceAction.Deploy, Source: entry.Type == ServiceType.Application ? source : null)
                    : new QueuedOrder(service, ServiceAction.Stop));
            }
        }

        if (orders.Count == 0)
        {
            return DomainError.Conflict("None of the services of that deployment exists any more: there is nothing to roll back.");
        }

        return await QueueAsync(change, DeploymentKind.Rollback, orders, target.Id);
    }

    public Task<Result<EnvironmentDeploymentView>> GetAsync(Caller caller, Guid environmentId, Guid deploymentId, CancellationToken cancellationToken = default) =>
        access.WithAsync<EnvironmentDeploymentView>(caller, Resource.Environment(environmentId), Permission.Read, async allowed =>
        {
            var view = await FindAsync(environmentId, deploymentId, cancellationToken);
            return view is null ? DomainError.NotFound("The deployment") : view;
        }, cancellationToken);

    /// <summary>A deployment of an environment, for a caller whose access was checked already (the live hub's subscribers).</summary>
    public async Task<EnvironmentDeploymentView?> FindAsync(Guid environmentId, Guid deploymentId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.EnvironmentDeployments.Where(d => d.Id == deploymentId && d.EnvironmentId == environmentId)
            .SelectWithOwner(db, EnvironmentView).FirstOrDefaultAsync(cancellationToken);
    }

    public Task<Result<HistoryPage<EnvironmentDeploymentView>>> ListForEnvironmentAsync(Caller caller, Guid environmentId, HistoryQuery query, CancellationToken cancellationToken = default) =>
        access.WithAsync<HistoryPage<EnvironmentDeploymentView>>(caller, Resource.Environment(environmentId), Permission.Read, async allowed =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            return await HistoryPaging.PageAsync(db.EnvironmentDeployments.Where(d => d.EnvironmentId == environmentId), query, page => page.SelectWithOwner(db, EnvironmentView),
                HistoryList.Total(db, HistoryList.EnvironmentDeployments, environmentId, cancellationToken), cancellationToken);
        }, cancellationToken);

    public Task<Result<HistoryPage<ServiceDeploymentView>>> ListForApplicationAsync(Caller caller, Guid applicationId, HistoryQuery query, CancellationToken cancellationToken = default) =>
        ListForServiceAsync(caller, Resource.Application(applicationId), query, cancellationToken);

    public Task<Result<HistoryPage<ServiceDeploymentView>>> ListForDatabaseAsync(Caller caller, Guid databaseId, HistoryQuery query, CancellationToken cancellationToken = default) =>
        ListForServiceAsync(caller, Resource.Database(databaseId), query, cancellationToken);

    private async Task<Result<HistoryPage<ServiceDeploymentView>>> ListForServiceAsync(Caller caller, Resource service, HistoryQuery query, CancellationToken cancellationToken)
    {
        var allowed = await access.CheckAsync(caller, service, Permission.Read, cancellationToken);
        if (!allowed.IsSuccess)
        {
            return allowed.Error!;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await HistoryPaging.PageAsync(db.ServiceDeployments.Where(d => d.ServiceId == service.Id), query, page => page.SelectWithOwner(db, ServiceView),
            HistoryList.Total(db, HistoryList.ServiceDeployments, service.Id, cancellationToken), cancellationToken);
    }

    private async Task<Result<EnvironmentDeploymentView>> RequestForServiceAsync(Caller caller, Resource service, DeploymentKind kind, string? commitId)
    {
        var found = await environments.FindChangeableForServiceAsync(caller, service);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }

        await using var change = found.Value;
        commitId = string.IsNullOrWhiteSpace(commitId) ? null : commitId.Trim();
        if (commitId is not null && (commitId.Length is < 4 or > 40 || !commitId.All(char.IsAsciiHexDigit)))
        {
            return DomainError.Validation("git_commit_id", "A commit id is 4 to 40 hexadecimal characters, such as 3f2a9c1.");
        }

        var target = (await DeploymentQueueing.ServicesAsync(change.Db, change.Environment.Id, service.Id)).Single();
        if (kind == DeploymentKind.Restart && target.LiveDeploymentId is null)
        {
            return DomainError.Conflict($"{target.Name} is not running: deploy it before restarting it.");
        }

        return await QueueAsync(change, kind, [new QueuedOrder(target, Action(kind), commitId)], rollbackOf: null);
    }

    /// <summary>
    /// Queues a deployment of the application at this commit for auto-deploy, owned by <see cref="SystemActors.AutoDeployId"/>,
    /// unless a deployment of it is already queued or under way: answers the queued deployment, or null when that one
    /// goes first (asked in the environment's lock, so two checks never both queue).
    /// </summary>
    internal async Task<Result<EnvironmentDeploymentView?>> AutoDeployAsync(Guid organizationId, Guid applicationId, string commitId)
    {
        var found = await environments.FindChangeableForServiceAsync(SystemActors.In(SystemActors.AutoDeployId, organizationId), Resource.Application(applicationId));
        if (!found.IsSuccess)
        {
            return found.Error!;
        }

        await using var change = found.Value;
        if (await change.Db.ServiceDeployments.AnyAsync(d => d.ServiceId == applicationId && DeploymentStates.Active.Contains(d.State)))
        {
            return (EnvironmentDeploymentView?)null;
        }

        var target = (await DeploymentQueueing.ServicesAsync(change.Db, change.Environment.Id, applicationId)).Single();
        var queued = await QueueAsync(change, DeploymentKind.Deploy, [new QueuedOrder(target, ServiceAction.Deploy, commitId)], rollbackOf: null);
        return queued.IsSuccess ? queued.Value : queued.Error!;
    }

    /// <summary>
    /// Queues the deletion of one service (a DELETE deployment: instances stopped and files removed, or the database
    /// dropped; then its row). Refused while another deployment holds the environment. Answers the deployment's id.
    /// </summary>
    internal async Task<Result<Guid>> QueueDeletionAsync(Caller caller, Resource service)
    {
        var found = await environments.FindChangeableForServiceAsync(caller, service);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }

        await using var change = found.Value;
        var target = (await DeploymentQueueing.ServicesAsync(change.Db, change.Environment.Id, service.Id)).Single();
        if (await DeploymentQueueing.HasActiveAsync(change.Db, change.Environment.Id))
        {
            return DeploymentQueueing.UnderWayConflict(change.Environment, $"deleting {target.Name}");
        }

        var queued = await QueueAsync(change, DeploymentKind.Delete, [new QueuedOrder(target, ServiceAction.Delete)], rollbackOf: null);
        return queued.IsSuccess ? queued.Value.Id : queued.Error!;
    }

    private async Task<Result<EnvironmentDeploymentView>> QueueAsync(EnvironmentChange change, DeploymentKind kind, IReadOnlyList<QueuedOrder> orders, Guid? rollbackOf)
    {
        if (orders.Any(o => o.Service.Type == ServiceType.Application && o.Action is ServiceAction.Deploy or ServiceAction.Restart) && await CannotRunApplicationsAsync(change) is { } reason)
        {
            return DomainError.Conflict($"Applications cannot run on this environment's cluster: {reason}");
        }

        if (DeploymentQuota.Counts(kind) && await DeploymentQuota.RefusalAsync(change.Db, change.Access.OrganizationId, change.Now) is { } overQuota)
        {
            return overQuota;
        }

        var caller = change.Access.Caller;
        change.Environment.TouchedBy(caller.PersonId, change.Now);
        var deployment = await DeploymentQueueing.AddAsync(change.Db, change.Access.OrganizationId, change.Environment, caller.UserId, change.Now, kind, orders, rollbackOf);
        await change.Db.Database.CommitTransactionAsync();
        signals.Wake();
        return await GetAsync(caller, change.Environment.Id, deployment.Id);
    }

    /// <summary>Why the environment's runtime cannot start applications (no sandbox on this host, no runtime for the cluster); null when it can.</summary>
    private async Task<string?> CannotRunApplicationsAsync(EnvironmentChange change)
    {
        try
        {
            return (await runtimes.ForEnvironmentAsync(change.Db, change.Environment.Id)).UnavailableReason;
        }
        catch (RuntimeFailureException exception)
        {
            return exception.Message;
        }
    }

    private static ServiceAction Action(DeploymentKind kind) => kind switch
    {
        DeploymentKind.Stop => ServiceAction.Stop,
        DeploymentKind.Restart => ServiceAction.Restart,
        _ => ServiceAction.Deploy,
    };

    private static readonly Expression<Func<ServiceDeployment, Person?, ServiceDeploymentView>> ServiceView = (d, owner) => new ServiceDeploymentView(
        d.Id,
        d.EnvironmentDeploymentId,
        new ServiceRef(d.ServiceType, d.ServiceId, d.ServiceName),
        d.Action,
        DeploymentStatus.Of(d.State, d.Message),
        owner,
        d.CommitLongId == null ? null : new CommitView(d.CommitShortId!, d.CommitLongId, d.CommitMessage ?? ""),
        d.Steps,
        d.CreatedAt,
        d.StartedAt,
        d.FinishedAt,
        Rollbacks.CanRollBackTo(d.EnvironmentDeployment!.Kind, d.EnvironmentDeployment.State, d.EnvironmentDeployment.Snapshot != null));

    private static readonly Expression<Func<EnvironmentDeployment, Person?, EnvironmentDeploymentView>> EnvironmentView = (d, owner) => new EnvironmentDeploymentView(
        d.Id,
        d.EnvironmentId,
        d.Kind,
        DeploymentStatus.Of(d.State, d.Message),
        owner,
        d.RollbackOfId,
        Rollbacks.CanRollBackTo(d.Kind, d.State, d.Snapshot != null),
        d.Services.OrderBy(s => s.Position).ThenBy(s => s.Sequence).Select(s => new ServiceDeploymentView(
            s.Id,
            s.EnvironmentDeploymentId,
            new ServiceRef(s.ServiceType, s.ServiceId, s.ServiceName),
            s.Action,
            DeploymentStatus.Of(s.State, s.Message),
            null,
            s.CommitLongId == null ? null : new CommitView(s.CommitShortId!, s.CommitLongId, s.CommitMessage ?? ""),
            s.Steps,
            s.CreatedAt,
            s.StartedAt,
            s.FinishedAt,
            Rollbacks.CanRollBackTo(d.Kind, d.State, d.Snapshot != null))).ToList(),
        d.CreatedAt,
        d.StartedAt,
        d.FinishedAt);
}
