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

/// <summary>
/// Environments of a project, each change an event: the catalogue here; archiving and deleting
/// (<c>EnvironmentService.Lifecycle.cs</c>), cloning (<c>EnvironmentService.Cloning.cs</c>); the lock every change to an
/// environment or its services holds is <see cref="EnvironmentLocks"/>.
/// </summary>
public sealed partial class EnvironmentService(
    IDbContextFactory<PlatformDbContext> dbFactory, TenantAccess access, EnvironmentLocks locks, ISecretProtector protector, DeploymentSignals signals, TimeProvider clock)
{
    /// <summary>How long a request that changes what runs (delete, archive) waits for its deployment before it answers.</summary>
    internal static readonly TimeSpan DeploymentWait = TimeSpan.FromMinutes(2);

    public Task<Result<IReadOnlyList<EnvironmentView>>> ListAsync(Caller caller, Guid projectId, bool archived, CancellationToken cancellationToken = default) =>
        access.WithAsync<IReadOnlyList<EnvironmentView>>(caller, Resource.Project(projectId), Permission.Read, async allowed =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            return await EnvironmentViews.OfProjectAsync(db, projectId, archived, cancellationToken);
        }, cancellationToken);

    public Task<Result<EnvironmentView>> GetAsync(Caller caller, Guid id, CancellationToken cancellationToken = default) =>
        access.WithAsync<EnvironmentView>(caller, Resource.Environment(id), Permission.Read, async allowed =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            // Deleted between its access check and this read: gone, as it would have been a moment later.
            return await EnvironmentViews.OneAsync(db, id, cancellationToken) is { } view ? view : DomainError.NotFound("The environment");
        }, cancellationToken);

    /// <summary>An environment's status now, for a caller whose access was checked already (the live hub's subscribers).</summary>
    public async Task<ServiceStatus?> CurrentStatusAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return (await EnvironmentViews.OneAsync(db, id, cancellationToken))?.Status;
    }

    public Task<Result<EnvironmentView>> CreateAsync(Caller caller, Guid projectId, EnvironmentInput input) =>
        access.WithAsync<EnvironmentView>(caller, Resource.Project(projectId), Permission.ManageServices, async allowed =>
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var organizationId = allowed.OrganizationId;
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
        });

    public async Task<Result<EnvironmentView>> UpdateAsync(Caller caller, Guid id, EnvironmentInput input)
    {
        var found = await locks.FindChangeableAsync(caller, id);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }

        await using (var change = found.Value)
        {
            var environment = change.Environment;
            var checkedInput = await ValidateAsync(
                change.Db, change.Access.OrganizationId, environment.ProjectId, input.Name ?? environment.Name, input.Mode ?? environment.Mode,
                input.ClusterId ?? environment.ClusterId, exceptId: id, requireMode: false, storedName: environment.Name);
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

    public static EventSubject Subject(Guid organizationId, Application application, Guid? environmentId = null) =>
        new(organizationId, environmentId ?? application.EnvironmentId, ServiceType.Application, application.Id, application.Settings.Name);

    public static EventSubject Subject(Guid organizationId, ManagedDatabase database, Guid? environmentId = null) =>
        new(organizationId, environmentId ?? database.EnvironmentId, ServiceType.Database, database.Id, database.Name);

    public static EventSubject Subject(Guid organizationId, ProjectEnvironment environment) =>
        new(organizationId, environment.Id, ServiceType.Environment, environment.Id, environment.Name);

    private static PlatformEvent Event(Guid organizationId, ProjectEnvironment environment, string state, string message, Caller caller, DateTimeOffset now) =>
        EventLog.New(Subject(organizationId, environment), state, SimpleState.Ok, message, caller.UserId, now);

    /// <summary>Checks name (a <paramref name="storedName"/> kept as it is passes), mode and cluster; answers the cluster to use (the organization's default when none is named).</summary>
    private static async Task<Result<Guid>> ValidateAsync(
        PlatformDbContext db, Guid organizationId, Guid projectId, string? name, EnvironmentMode? mode, Guid? clusterId, Guid? exceptId, bool requireMode,
        string? storedName = null)
    {
        var errors = new Dictionary<string, string[]>();
        Names.Check(errors, "name", name, storedName);
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
            ? DomainError.Conflict("name", $"An environment named \"{trimmed}\" already exists in this project.")
            : cluster!.Value;
    }


}
