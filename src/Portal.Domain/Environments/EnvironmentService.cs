using Microsoft.EntityFrameworkCore;
using Platform.Domain.Access;
using Platform.Domain.Applications;
using Platform.Domain.Clusters;
using Platform.Domain.Common;
using Platform.Domain.Databases;
using Platform.Domain.Deployments;
using Platform.Domain.Events;
using Platform.Domain.Services;

namespace Platform.Domain.Environments;

public sealed record EnvironmentInput(string? Name, EnvironmentMode? Mode, Guid? ClusterId);

public sealed record CloneInput(string? Name, EnvironmentMode? Mode, Guid? ProjectId, Guid? ClusterId);

public sealed record EnvironmentView(
    Guid Id,
    Guid ProjectId,
    Guid ClusterId,
    string Name,
    EnvironmentMode Mode,
    bool Archived,
    ServiceStatus Status,
    Person? LastUpdater,
    CloudProvider CloudProvider,
    int TotalServices,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>Environments of a project: the catalogue, clone and archive, each change an event.</summary>
public sealed class EnvironmentService(IDbContextFactory<PlatformDbContext> dbFactory, TenantAccess access, ISecretProtector protector, DeploymentSignals signals, TimeProvider clock)
{
    /// <summary>How long a request that changes what runs (delete, archive) waits for its deployment before it answers.</summary>
    internal static readonly TimeSpan DeploymentWait = TimeSpan.FromMinutes(2);

    public async Task<Result<IReadOnlyList<EnvironmentView>>> ListAsync(Caller caller, Guid projectId, bool archived, CancellationToken cancellationToken = default)
    {
        var allowed = await access.CheckAsync(caller, Resource.Project(projectId), Permission.Read, cancellationToken);
        if (!allowed.IsSuccess)
        {
            return allowed.Error!;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await ViewsAsync(db, db.Environments.Where(e => e.ProjectId == projectId && e.Archived == archived).OrderBy(e => e.Name), cancellationToken);
    }

    public async Task<Result<EnvironmentView>> GetAsync(Caller caller, Guid id, CancellationToken cancellationToken = default)
    {
        var allowed = await access.CheckAsync(caller, Resource.Environment(id), Permission.Read, cancellationToken);
        if (!allowed.IsSuccess)
        {
            return allowed.Error!;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return (await ViewsAsync(db, db.Environments.Where(e => e.Id == id), cancellationToken))[0];
    }

    /// <summary>An environment's status now, for a caller whose access was checked already (the live hub's subscribers).</summary>
    public async Task<ServiceStatus?> CurrentStatusAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return (await ViewsAsync(db, db.Environments.Where(e => e.Id == id), cancellationToken)).FirstOrDefault()?.Status;
    }

    public async Task<Result<EnvironmentView>> CreateAsync(Caller caller, Guid projectId, EnvironmentInput input)
    {
        var allowed = await access.CheckAsync(caller, Resource.Project(projectId), Permission.ManageServices);
        if (!allowed.IsSuccess)
        {
            return allowed.Error!;
        }

        await using var db = await dbFactory.CreateDbContextAsync();
        var organizationId = allowed.Value.OrganizationId;
        var checkedInput = await ValidateAsync(db, organizationId, projectId, input.Name, input.Mode, input.ClusterId, exceptId: null, requireMode: true);
        if (!checkedInput.IsSuccess)
        {
            return checkedInput.Error!;
        }

        var now = clock.GetUtcNow();
        var environment = new ProjectEnvironment
        {
            ProjectId = projectId,
            ClusterId = checkedInput.Value,
            Name = input.Name!.Trim(),
            Mode = input.Mode!.Value,
            OwnerId = caller.UserId,
            LastUpdaterId = caller.UserId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Environments.Add(environment);
        await db.SaveWithEventsAsync([Event(organizationId, environment, "CREATED", $"Environment {environment.Name} created.", caller, now)]);
        return await GetAsync(caller, environment.Id);
    }

    public async Task<Result<EnvironmentView>> UpdateAsync(Caller caller, Guid id, EnvironmentInput input)
    {
        var found = await FindChangeableAsync(caller, id);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }

        await using (var change = found.Value)
        {
            var environment = change.Environment;
            var checkedInput = await ValidateAsync(
                change.Db, change.Access.OrganizationId, environment.ProjectId, input.Name ?? environment.Name, input.Mode ?? environment.Mode,
                input.ClusterId ?? environment.ClusterId, exceptId: id, requireMode: false);
            if (!checkedInput.IsSuccess)
            {
                return checkedInput.Error!;
            }

            var name = (input.Name ?? environment.Name).Trim();
            var mode = input.Mode ?? environment.Mode;
            if (name == environment.Name && mode == environment.Mode && checkedInput.Value == environment.ClusterId)
            {
                return await GetAsync(caller, id);
            }

            environment.Name = name;
            environment.Mode = mode;
            environment.ClusterId = checkedInput.Value;
            await change.SaveAsync(Subject(change.Access.OrganizationId, environment), "UPDATED", $"Environment {environment.Name} changed.");
        }

        return await GetAsync(caller, id);
    }

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
        var environment = await LockAsync(db, id);
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
    public async Task<Result<EnvironmentView>> ArchiveAsync(Caller caller, Guid id)
    {
        var allowed = await access.CheckAsync(caller, Resource.Environment(id), Permission.ManageServices);
        if (!allowed.IsSuccess)
        {
            return allowed.Error!;
        }

        Guid? archive = null;
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var environment = await LockAsync(db, id);
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
                Touch(environment, caller, now);
                await db.SaveWithEventsAsync([Event(allowed.Value.OrganizationId, environment, "ARCHIVED", $"Environment {environment.Name} archived.", caller, now)]);
            }

            var running = (await DeploymentQueueing.ServicesAsync(db, id)).Where(s => s.LiveDeploymentId is not null || s.State != ServiceState.Stopped).ToList();
            if (running.Count > 0)
            {
                archive = (await DeploymentQueueing.AddAsync(db, allowed.Value.OrganizationId, environment, caller.UserId, now, DeploymentKind.Archive,
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
    }

    public async Task<Result<EnvironmentView>> UnarchiveAsync(Caller caller, Guid id)
    {
        var allowed = await access.CheckAsync(caller, Resource.Environment(id), Permission.ManageServices);
        if (!allowed.IsSuccess)
        {
            return allowed.Error!;
        }

        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var environment = await db.Environments.FirstAsync(e => e.Id == id);
            if (environment.Archived)
            {
                var now = clock.GetUtcNow();
                environment.Archived = false;
                environment.ArchivedAt = null;
                Touch(environment, caller, now);
                await db.SaveWithEventsAsync([Event(allowed.Value.OrganizationId, environment, "UNARCHIVED", $"Environment {environment.Name} unarchived.", caller, now)]);
            }
        }

        return await GetAsync(caller, id);
    }

    /// <summary>
    /// Copies an environment's applications and databases (settings only, never data) into a new environment,
    /// in the same project unless another of the organization's projects is named. Deployments, logs and
    /// events stay with the original.
    /// </summary>
    public async Task<Result<EnvironmentView>> CloneAsync(Caller caller, Guid id, CloneInput input)
    {
        var source = await access.CheckAsync(caller, Resource.Environment(id), Permission.ManageServices);
        if (!source.IsSuccess)
        {
            return source.Error!;
        }

        await using var db = await dbFactory.CreateDbContextAsync();
        var original = await db.Environments.AsNoTracking().FirstAsync(e => e.Id == id);
        var projectId = input.ProjectId ?? original.ProjectId;
        if (projectId != original.ProjectId)
        {
            var target = await access.CheckAsync(caller, Resource.Project(projectId), Permission.ManageServices);
            if (!target.IsSuccess || target.Value.OrganizationId != source.Value.OrganizationId)
            {
                return target.IsSuccess ? DomainError.NotFound("The project") : target.Error!;
            }
        }

        var organizationId = source.Value.OrganizationId;
        var checkedInput = await ValidateAsync(db, organizationId, projectId, input.Name, input.Mode ?? original.Mode, input.ClusterId ?? original.ClusterId, exceptId: null, requireMode: false);
        if (!checkedInput.IsSuccess)
        {
            return checkedInput.Error!;
        }

        var now = clock.GetUtcNow();
        var clone = new ProjectEnvironment
        {
            ProjectId = projectId,
            ClusterId = checkedInput.Value,
            Name = input.Name!.Trim(),
            Mode = input.Mode ?? original.Mode,
            OwnerId = caller.UserId,
            LastUpdaterId = caller.UserId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Environments.Add(clone);
        var events = new List<PlatformEvent>
        {
            Event(organizationId, original, "CLONED", $"Environment {original.Name} cloned to {clone.Name}.", caller, now),
            Event(organizationId, clone, "CLONED", $"Environment {clone.Name} cloned from {original.Name}.", caller, now),
        };

        // Variables and secrets of the environment and of its applications go with them; the project's and the
        // organization's stay where they are (a clone in the same project still sees them).
        var variables = await db.Variables.AsNoTracking().Where(v => v.EnvironmentId == id).ToListAsync();
        db.Variables.AddRange(variables.Where(v => v.ApplicationId is null).Select(v => v.CopyTo(projectId, clone.Id, null, caller.UserId, now)));
        foreach (var application in await db.Applications.AsNoTracking().Where(a => a.EnvironmentId == id).ToListAsync())
        {
            var copy = new Application
            {
                EnvironmentId = clone.Id,
                Settings = application.Settings,
                ProtectedGitSecret = application.ProtectedGitSecret,
                StateMessage = "Not deployed yet.",
                OwnerId = caller.UserId,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Applications.Add(copy);
            db.Variables.AddRange(variables.Where(v => v.ApplicationId == application.Id).Select(v => v.CopyTo(projectId, clone.Id, copy.Id, caller.UserId, now)));
            events.Add(EventLog.New(Subject(organizationId, copy, clone.Id), "CREATED", SimpleState.Ok, $"Application {copy.Settings.Name} created by cloning {original.Name}.", caller.UserId, now));
        }

        foreach (var database in await db.Databases.AsNoTracking().Where(d => d.EnvironmentId == id).ToListAsync())
        {
            var copy = new ManagedDatabase
            {
                EnvironmentId = clone.Id,
                Name = database.Name,
                Type = database.Type,
                Version = database.Version,
                Mode = database.Mode,
                Storage = database.Storage,
                ProtectedPassword = ManagedDatabase.NewProtectedPassword(protector),
                OwnerId = caller.UserId,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Databases.Add(copy);
            events.Add(EventLog.New(Subject(organizationId, copy, clone.Id), "CREATED", SimpleState.Ok, $"Database {copy.Name} created by cloning {original.Name}.", caller.UserId, now));
        }

        await db.SaveWithEventsAsync(events);
        return await GetAsync(caller, clone.Id);
    }

    /// <summary>
    /// Loads an environment for a change to it or its services, refusing archived ones. The caller owns the
    /// returned context.
    /// </summary>
    internal async Task<Result<EnvironmentChange>> FindChangeableAsync(Caller caller, Guid environmentId)
    {
        var allowed = await access.CheckAsync(caller, Resource.Environment(environmentId), Permission.ManageServices);
        if (!allowed.IsSuccess)
        {
            return allowed.Error!;
        }

        var db = await dbFactory.CreateDbContextAsync();
        await db.Database.BeginTransactionAsync();
        var environment = await LockAsync(db, environmentId);
        var refusal = environment is null ? DomainError.NotFound("The environment")
            : environment.Archived ? ArchivedConflict(environment)
            : await DeploymentQueueing.IsBeingDeletedAsync(db, environmentId) ? DomainError.Conflict($"The environment \"{environment.Name}\", or the service, is being deleted.")
            : null;
        if (refusal is not null)
        {
            await db.DisposeAsync();
            return refusal;
        }

        return new EnvironmentChange(allowed.Value, environment!, db, clock.GetUtcNow());
    }

    /// <summary>The same, for a change to one of the environment's services.</summary>
    internal async Task<Result<EnvironmentChange>> FindChangeableForServiceAsync(Caller caller, Resource service)
    {
        var allowed = await access.CheckAsync(caller, service, Permission.ManageServices);
        if (!allowed.IsSuccess)
        {
            return allowed.Error!;
        }

        Guid environmentId;
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            environmentId = service.Kind == ResourceKind.Application
                ? await db.Applications.Where(a => a.Id == service.Id).Select(a => a.EnvironmentId).FirstAsync()
                : await db.Databases.Where(d => d.Id == service.Id).Select(d => d.EnvironmentId).FirstAsync();
        }

        return await FindChangeableAsync(caller, environmentId);
    }

    /// <summary>Reads the environment and holds its row until the transaction ends.</summary>
    internal static Task<ProjectEnvironment?> LockAsync(PlatformDbContext db, Guid environmentId) =>
        db.Environments.FromSql($"SELECT * FROM environment WHERE id = {environmentId} FOR UPDATE").OneOrNoneAsync();

    public static DomainError ArchivedConflict(ProjectEnvironment environment) =>
        DomainError.Conflict($"The environment \"{environment.Name}\" is archived: unarchive it before deploying, starting or changing it.");

    /// <summary>Records who changed the environment (or one of its services) last, and when.</summary>
    internal static void Touch(ProjectEnvironment environment, Caller caller, DateTimeOffset now)
    {
        environment.LastUpdaterId = caller.UserId;
        environment.UpdatedAt = now;
    }

    public static EventSubject Subject(Guid organizationId, Application application, Guid? environmentId = null) =>
        new(organizationId, environmentId ?? application.EnvironmentId, ServiceType.Application, application.Id, application.Settings.Name);

    public static EventSubject Subject(Guid organizationId, ManagedDatabase database, Guid? environmentId = null) =>
        new(organizationId, environmentId ?? database.EnvironmentId, ServiceType.Database, database.Id, database.Name);

    public static EventSubject Subject(Guid organizationId, ProjectEnvironment environment) =>
        new(organizationId, environment.Id, ServiceType.Environment, environment.Id, environment.Name);

    private static PlatformEvent Event(Guid organizationId, ProjectEnvironment environment, string state, string message, Caller caller, DateTimeOffset now) =>
        EventLog.New(Subject(organizationId, environment), state, SimpleState.Ok, message, caller.UserId, now);

    /// <summary>Checks name, mode and cluster; answers the cluster to use (the organization's default when none is named).</summary>
    private static async Task<Result<Guid>> ValidateAsync(
        PlatformDbContext db, Guid organizationId, Guid projectId, string? name, EnvironmentMode? mode, Guid? clusterId, Guid? exceptId, bool requireMode)
    {
        var errors = new Dictionary<string, string[]>();
        Validation.RequireText(errors, "name", name, "Name", ProjectEnvironment.MaxNameLength);
        if (requireMode && mode is null)
        {
            errors["mode"] = ["Choose a mode: DEVELOPMENT, STAGING, PRODUCTION or PREVIEW."];
        }

        var cluster = clusterId is null
            ? await db.Clusters.Where(c => c.OrganizationId == organizationId && c.IsDefault).Select(c => (Guid?)c.Id).FirstOrDefaultAsync()
            : await db.Clusters.Where(c => c.OrganizationId == organizationId && c.Id == clusterId).Select(c => (Guid?)c.Id).FirstOrDefaultAsync();
        if (cluster is null)
        {
            errors["cluster_id"] = [clusterId is null ? "This organization has no default cluster." : "No cluster of this organization has this id."];
        }

        if (errors.Count > 0)
        {
            return DomainError.Validation(errors);
        }

        var trimmed = name!.Trim();
        return await db.Environments.AnyAsync(e => e.ProjectId == projectId && e.Name == trimmed && e.Id != exceptId)
            ? DomainError.Conflict($"An environment named \"{trimmed}\" already exists in this project.")
            : cluster!.Value;
    }

    private static async Task<List<EnvironmentView>> ViewsAsync(PlatformDbContext db, IQueryable<ProjectEnvironment> environments, CancellationToken cancellationToken)
    {
        var rows = await environments.Select(e => new
        {
            Environment = e,
            ClusterKind = e.Cluster!.Kind,
            Updater = e.LastUpdater == null ? null : new Person(e.LastUpdater.Id, e.LastUpdater.FirstName + " " + e.LastUpdater.LastName),
        }).ToListAsync(cancellationToken);
        var ids = rows.Select(r => r.Environment.Id).ToList();
        var applications = await db.Applications.Where(a => ids.Contains(a.EnvironmentId))
            .Select(a => new { a.EnvironmentId, a.Name, a.State, a.StateMessage }).ToListAsync(cancellationToken);
        var databases = await db.Databases.Where(d => ids.Contains(d.EnvironmentId))
            .Select(d => new { d.EnvironmentId, d.Name, d.State, d.StateMessage }).ToListAsync(cancellationToken);
        var services = applications.Select(a => (a.EnvironmentId, Snapshot: new ServiceSnapshot(ServiceType.Application, a.Name, a.State, a.StateMessage)))
            .Concat(databases.Select(d => (d.EnvironmentId, Snapshot: new ServiceSnapshot(ServiceType.Database, d.Name, d.State, d.StateMessage))))
            .ToLookup(s => s.EnvironmentId, s => s.Snapshot);

        return rows.Select(r =>
        {
            var e = r.Environment;
            var own = services[e.Id].ToList();
            return new EnvironmentView(
                e.Id, e.ProjectId, e.ClusterId, e.Name, e.Mode, e.Archived, EnvironmentStatus.Derive(own), r.Updater,
                CloudProvider.For(r.ClusterKind), own.Count, e.CreatedAt, e.UpdatedAt);
        }).ToList();
    }
}
