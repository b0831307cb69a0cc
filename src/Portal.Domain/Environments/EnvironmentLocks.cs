using Microsoft.EntityFrameworkCore;
using Platform.Domain.Access;
using Platform.Domain.Common;
using Platform.Domain.Deployments;

namespace Platform.Domain.Environments;

/// <summary>
/// The environment's row lock, which every change to an environment or its services holds until it commits, so that
/// changes to one environment (its queue included) happen one at a time: the one place that finds an environment
/// fit for a change (it exists, is not archived, is not being deleted).
/// </summary>
public sealed class EnvironmentLocks(IDbContextFactory<PlatformDbContext> dbFactory, TenantAccess access, TimeProvider clock)
{
    /// <summary>
    /// Loads an environment for a change to it or its services, refusing archived ones. The caller owns the
    /// returned context.
    /// </summary>
    public async Task<Result<EnvironmentChange>> FindChangeableAsync(Caller caller, Guid environmentId)
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
    public async Task<Result<EnvironmentChange>> FindChangeableForServiceAsync(Caller caller, Resource service)
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
    public static Task<ProjectEnvironment?> LockAsync(PlatformDbContext db, Guid environmentId) =>
        db.Environments.FromSql($"SELECT * FROM environment WHERE id = {environmentId} FOR UPDATE").OneOrNoneAsync();

    public static DomainError ArchivedConflict(ProjectEnvironment environment) =>
        DomainError.Conflict($"The environment \"{environment.Name}\" is archived: unarchive it before deploying, starting or changing it.");
}
