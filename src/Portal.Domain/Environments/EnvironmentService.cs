using Microsoft.EntityFrameworkCore;
using Platform.Domain.Access;
using Platform.Domain.Applications;
using Platform.Domain.Clusters;
using Platform.Domain.Common;
using Platform.Domain.Databases;
using Platform.Domain.Deployments;
using Platform.Domain.Events;
using Platform.Domain.Runtime;
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
public sealed class EnvironmentService(IDbContextFactory<PlatformDbContext> dbFactory, TenantAccess access, ISecretProtector protector, IRuntimes runtimes, RuntimeCleanup cleanup, TimeProvider clock)
{
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

    /// <summary>Deletes the environment and its services. Archived environments may be deleted.</summary>
    public async Task<Result<bool>> DeleteAsync(Caller caller, Guid id)
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

        // The row lock keeps new requests out of the queue until this ends; one already queued or under way would
        // go on deploying into an environment being deleted.
        if (await HasDeploymentUnderWayAsync(db, id))
        {
            return DeploymentUnderWayConflict(environment, "deleting it");
        }

        if (await cleanup.ReleaseAsync(db, e => e.Id == id) is { } failed)
        {
            return failed;
        }

        db.Environments.Remove(environment);
        await db.SaveWithEventsAsync([Event(allowed.Value.OrganizationId, environment, "DELETED", $"Environment {environment.Name} deleted.", caller, clock.GetUtcNow())]);
        await transaction.CommitAsync();
        return true;
    }

    /// <summary>Stops the environment's services and freezes it until it is unarchived.</summary>
    public async Task<Result<EnvironmentView>> ArchiveAsync(Caller caller, Guid id)
    {
        var allowed = await access.CheckAsync(caller, Resource.Environment(id), Permission.ManageServices);
        if (!allowed.IsSuccess)
        {
            return allowed.Error!;
        }

        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var environment = await LockAsync(db, id);
            if (environment is null)
            {
                return DomainError.NotFound("The environment");
            }

            if (!environment.Archived)
            {
                // Archiving stops the services directly: a deployment queued or under way would start them again
                // in an archived environment (or be stopped halfway). It has to end, or be aborted, first.
                if (await HasDeploymentUnderWayAsync(db, id))
                {
                    return DeploymentUnderWayConflict(environment, "archiving it");
                }

                var now = clock.GetUtcNow();
                var events = new List<PlatformEvent>();
                var runtime = await runtimes.ForClusterAsync(db, environment.ClusterId);
                foreach (var application in await db.Applications.Where(a => a.EnvironmentId == id && (a.State != ServiceState.Stopped || a.LiveDeploymentId != null)).ToListAsync())
                {
                    await runtime.StopAsync(application.Id, CancellationToken.None);
                    application.LiveDeploymentId = null;
                    application.State = ServiceState.Stopped;
                    application.StateMessage = "Stopped: the environment was archived.";
                    events.Add(EventLog.New(Subject(allowed.Value.OrganizationId, application), "STOPPED", SimpleState.Ok, application.StateMessage, caller.UserId, now));
                }

                foreach (var database in await db.Databases.Where(d => d.EnvironmentId == id && (d.State != ServiceState.Stopped || d.LiveDeploymentId != null)).ToListAsync())
                {
                    try
                    {
                        await runtime.StopDatabaseAsync(database.RuntimeOrder(protector), CancellationToken.None);
                    }
                    catch (RuntimeFailureException failure)
                    {
                        return DomainError.Conflict($"The database {database.Name} could not be stopped, so the environment was not archived: {failure.Message}");
                    }

                    database.LiveDeploymentId = null;
                    database.State = ServiceState.Stopped;
                    database.StateMessage = "Stopped: the environment was archived.";
                    events.Add(EventLog.New(Subject(allowed.Value.OrganizationId, database), "STOPPED", SimpleState.Ok, database.StateMessage, caller.UserId, now));
                }

                environment.Archived = true;
                environment.ArchivedAt = now;
                Touch(environment, caller, now);
                events.Add(Event(allowed.Value.OrganizationId, environment, "ARCHIVED", $"Environment {environment.Name} archived.", caller, now));
                await db.SaveWithEventsAsync(events);
                await transaction.CommitAsync();
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
        if (environment is null || environment.Archived)
        {
            await db.DisposeAsync();
            return environment is null ? DomainError.NotFound("The environment") : ArchivedConflict(environment);
        }

        return new EnvironmentChange(allowed.Value, environment, db, clock.GetUtcNow());
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
    private static Task<ProjectEnvironment?> LockAsync(PlatformDbContext db, Guid environmentId) =>
        db.Environments.FromSql($"SELECT * FROM environment WHERE id = {environmentId} FOR UPDATE").OneOrNoneAsync();

    /// <summary>
    /// Whether a deployment of the environment is queued, in progress or aborting: the engine may be changing what
    /// runs. Asked under the environment's row lock, which new requests wait for, so the answer holds until commit.
    /// </summary>
    internal static Task<bool> HasDeploymentUnderWayAsync(PlatformDbContext db, Guid environmentId) =>
        db.EnvironmentDeployments.AnyAsync(d => d.EnvironmentId == environmentId
            && (d.State == DeploymentState.Queued || d.State == DeploymentState.DeploymentInProgress || d.State == DeploymentState.Aborting));

    /// <summary>409 for a change that must not race the deployment engine; <paramref name="change"/> says what waits ("archiving it").</summary>
    internal static DomainError DeploymentUnderWayConflict(ProjectEnvironment environment, string change) =>
        DomainError.Conflict($"The environment \"{environment.Name}\" has a deployment queued or in progress: wait until it ends, or abort it, before {change}.");

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
