using Microsoft.EntityFrameworkCore;
using Platform.Domain.Clusters;
using Platform.Domain.Common;
using Platform.Domain.Events;
using Platform.Domain.Services;

namespace Platform.Domain.Environments;

/// <summary>Environments as they are answered: with their status derived from their services', and their last updater.</summary>
internal static class EnvironmentViews
{
    public static async Task<List<EnvironmentView>> ListAsync(PlatformDbContext db, IQueryable<ProjectEnvironment> environments, CancellationToken cancellationToken)
    {
        // Read only: the environments are answered, never changed through this context, so none is tracked.
        var rows = await environments.AsNoTracking().Select(e => new
        {
            Environment = e,
            ClusterKind = e.Cluster!.Kind,
            Updater = e.LastUpdater == null ? null : new Person(e.LastUpdater.Id, e.LastUpdater.FirstName + " " + e.LastUpdater.LastName),
        }).ToListAsync(cancellationToken);
        var ids = rows.Select(r => r.Environment.Id).ToList();
        var applications = await db.Applications.Where(a => ids.Contains(a.EnvironmentId))
            .Select(a => new { a.EnvironmentId, a.Name, a.State, a.StateMessage, Serving = a.LiveDeploymentId != null }).ToListAsync(cancellationToken);
        var databases = await db.Databases.Where(d => ids.Contains(d.EnvironmentId))
            .Select(d => new { d.EnvironmentId, d.Name, d.State, d.StateMessage, Serving = d.LiveDeploymentId != null }).ToListAsync(cancellationToken);
        var services = applications.Select(a => (a.EnvironmentId, Snapshot: new ServiceSnapshot(ServiceType.Application, a.Name, a.State, a.StateMessage, a.Serving)))
            .Concat(databases.Select(d => (d.EnvironmentId, Snapshot: new ServiceSnapshot(ServiceType.Database, d.Name, d.State, d.StateMessage, d.Serving))))
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
