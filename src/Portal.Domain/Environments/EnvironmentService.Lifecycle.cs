using Microsoft.EntityFrameworkCore;
using Platform.Domain.Access;
using Platform.Domain.Common;
using Platform.Domain.Deployments;
using Platform.Domain.Events;
using Platform.Domain.Services;

namespace Platform.Domain.Environments;

/// <summary>Archiving, unarchiving and deleting environments: each change to what runs through the queue, waited for.</summary>
public sealed partial class EnvironmentService
{
    /// <summary>
    /// Deletes the environment: its services are deleted by a DELETE_ENVIRONMENT deployment (instances stopped and
    /// their files removed, databases dropped), which then deletes the environment; answers once that ended.
    /// Archived environments may be deleted.
    /// </summary>
    public async Task<Result<bool>> DeleteAsync(Caller caller, Guid id)
    {
        var queued = await QueueDeletionAsync(caller, id);
        return queued.IsSuccess ? await WaitForAsync(queued.Value, $"deleting the environment") : queued.Error!;
    }

    /// <summary>
    /// Deletes environments that go with their project or organization: refused (409) before anything is queued if one
    /// of them has a deployment under way; then each one's DELETE_ENVIRONMENT deployment, waited for. Answers the
    /// first failure.
    /// </summary>
    internal async Task<Result<bool>> DeleteAllAsync(Caller caller, IReadOnlyList<Guid> ids)
    {
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var busy = await db.Environments.Where(e => ids.Contains(e.Id) && db.EnvironmentDeployments.Any(d => d.EnvironmentId == e.Id && DeploymentStates.Active.Contains(d.State)))
                .FirstOrDefaultAsync();
            if (busy is not null)
            {
                return DeploymentQueueing.UnderWayConflict(busy, "deleting it");
            }
        }

        var queued = new List<Guid>();
        foreach (var id in ids)
        {
            var deletion = await QueueDeletionAsync(caller, id);
            if (!deletion.IsSuccess)
            {
                return deletion.Error!;
            }

            queued.Add(deletion.Value);
        }

        foreach (var deployment in queued)
        {
            var ended = await WaitForAsync(deployment, "deleting an environment");
            if (!ended.IsSuccess)
            {
                return ended.Error!;
            }
        }

        return true;
    }

    /// <summary>Queues the deletion of an environment (for it alone, or with its project or organization); answers the deployment.</summary>
    internal async Task<Result<Guid>> QueueDeletionAsync(Caller caller, Guid id)
    {
        var allowed = await access.CheckAsync(caller, Resource.Environment(id), Permission.ManageServices);
        if (!allowed.IsSuccess)
        {
            return allowed.Error!;
        }

        await using var db = await dbFactory.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var environment = await EnvironmentLocks.LockAsync(db, id);
        if (environment is null)
        {
            return DomainError.NotFound("The environment");
        }

        if (await DeploymentQueueing.HasActiveAsync(db, id))
        {
            return DeploymentQueueing.UnderWayConflict(environment, "deleting it");
        }

        var services = await DeploymentQueueing.ServicesAsync(db, id);
        var deployment = await DeploymentQueueing.AddAsync(db, allowed.Value.OrganizationId, environment, caller.UserId, clock.GetUtcNow(),
            DeploymentKind.DeleteEnvironment, services.Select(s => new QueuedOrder(s, ServiceAction.Delete)).ToList());
        await transaction.CommitAsync();
        signals.Wake();
        return deployment.Id;
    }

    /// <summary>Waits for a deployment that a request queued (a deletion, an archive): done, failed (409 with its message), or still going after the wait.</summary>
    internal async Task<Result<bool>> WaitForAsync(Guid deploymentId, string what)
    {
        var state = await DeploymentQueueing.WaitAsync(dbFactory, signals, deploymentId, DeploymentWait);
        if (state == DeploymentState.Ok)
        {
            return true;
        }

        await using var db = await dbFactory.CreateDbContextAsync();
        var message = await db.EnvironmentDeployments.Where(d => d.Id == deploymentId).Select(d => d.Message).FirstOrDefaultAsync();
        return state is null
            ? DomainError.Conflict($"{char.ToUpperInvariant(what[0])}{what[1..]} is taking longer than expected; it goes on (deployment {deploymentId}).")
            : DomainError.Conflict($"{char.ToUpperInvariant(what[0])}{what[1..]} did not succeed: {message}");
    }

    /// <summary>
    /// Archives the environment, which freezes it until it is unarchived; its services stop through an ARCHIVE
    /// deployment, which the answer waits for. Archiving an archived environment whose services did not all stop
    /// tries the stops again.
    /// </summary>
    public Task<Result<EnvironmentView>> ArchiveAsync(Caller caller, Guid id) =>
        access.WithAsync<EnvironmentView>(caller, Resource.Environment(id), Permission.ManageServices, async allowed =>
        {
            Guid? archive = null;
            await using (var db = await dbFactory.CreateDbContextAsync())
            {
                await using var transaction = await db.Database.BeginTransactionAsync();
                var environment = await EnvironmentLocks.LockAsync(db, id);
                if (environment is null)
                {
                    return DomainError.NotFound("The environment");
                }

                // A deployment queued or under way would start services again in an archived environment: it ends, or is aborted, first.
                if (await DeploymentQueueing.HasActiveAsync(db, id))
                {
                    return DeploymentQueueing.UnderWayConflict(environment, "archiving it");
                }

                var now = clock.GetUtcNow();
                if (!environment.Archived)
                {
                    environment.Archived = true;
                    environment.ArchivedAt = now;
                    environment.TouchedBy(caller.UserId, now);
                    await db.SaveWithEventsAsync([Event(allowed.OrganizationId, environment, "ARCHIVED", $"Environment {environment.Name} archived.", caller, now)]);
                }

                var running = (await DeploymentQueueing.ServicesAsync(db, id)).Where(s => s.LiveDeploymentId is not null || s.State != ServiceState.Stopped).ToList();
                if (running.Count > 0)
                {
                    archive = (await DeploymentQueueing.AddAsync(db, allowed.OrganizationId, environment, caller.UserId, now, DeploymentKind.Archive,
                        running.Select(s => new QueuedOrder(s, ServiceAction.Stop)).ToList())).Id;
                }

                await transaction.CommitAsync();
            }

            if (archive is { } deployment)
            {
                signals.Wake();
                var stopped = await WaitForAsync(deployment, "stopping its services");
                if (!stopped.IsSuccess)
                {
                    return stopped.Error!;
                }
            }

            return await GetAsync(caller, id);
        });

    public Task<Result<EnvironmentView>> UnarchiveAsync(Caller caller, Guid id) =>
        access.WithAsync<EnvironmentView>(caller, Resource.Environment(id), Permission.ManageServices, async allowed =>
        {
            await using (var db = await dbFactory.CreateDbContextAsync())
            {
                var environment = await db.Environments.FirstAsync(e => e.Id == id);
                if (environment.Archived)
                {
                    var now = clock.GetUtcNow();
                    environment.Archived = false;
                    environment.ArchivedAt = null;
                    environment.TouchedBy(caller.UserId, now);
                    await db.SaveWithEventsAsync([Event(allowed.OrganizationId, environment, "UNARCHIVED", $"Environment {environment.Name} unarchived.", caller, now)]);
                }
            }

            return await GetAsync(caller, id);
        });
}
