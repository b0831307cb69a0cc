using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Platform.Domain.Common;
using Platform.Domain.Deployments;
using Platform.Domain.Environments;

namespace Platform.Domain.Runtime;

/// <summary>
/// Before environments go (deleted alone, or with their project or organization): their applications' instances
/// stop and their databases are dropped on the runtime's server, so nothing keeps running or holding data for
/// a catalogue entry that no longer exists.
/// </summary>
public sealed class RuntimeCleanup(IRuntimes runtimes, ISecretProtector protector)
{
    public async Task<DomainError?> ReleaseAsync(PlatformDbContext db, Expression<Func<ProjectEnvironment, bool>> environments)
    {
        var chosen = db.Environments.Where(environments);
        if (await db.EnvironmentDeployments.AnyAsync(d => chosen.Any(e => e.Id == d.EnvironmentId)
                && (d.State == DeploymentState.Queued || d.State == DeploymentState.DeploymentInProgress || d.State == DeploymentState.Aborting)))
        {
            return DomainError.Conflict("A deployment is queued or in progress there: wait until it ends, or abort it, before deleting.");
        }

        var applications = await db.Applications.Where(a => chosen.Any(e => e.Id == a.EnvironmentId))
            .Select(a => new { a.Id, a.Environment!.Cluster!.Kind }).ToListAsync();
        foreach (var application in applications)
        {
            await runtimes.ForCluster(application.Kind).StopAsync(application.Id, CancellationToken.None);
        }

        var databases = await db.Databases.Where(d => chosen.Any(e => e.Id == d.EnvironmentId))
            .Select(d => new { Database = d, d.Environment!.Cluster!.Kind }).ToListAsync();
        foreach (var database in databases)
        {
            try
            {
                await runtimes.ForCluster(database.Kind).DeleteDatabaseAsync(database.Database.RuntimeOrder(protector), CancellationToken.None);
            }
            catch (RuntimeFailureException failure)
            {
                return DomainError.Conflict($"The database {database.Database.Name} could not be dropped, so nothing was deleted: {failure.Message}");
            }
        }

        return null;
    }
}
