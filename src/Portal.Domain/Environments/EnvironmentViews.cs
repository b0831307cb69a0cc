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
        // Both kinds of service in one query (UNION ALL): a list is two round trips whatever its length.
        var services = (await db.Applications.Where(a => ids.Contains(a.EnvironmentId))
                .Select(a => new { a.EnvironmentId, Type = ServiceType.Application, a.Name, a.State, a.StateMessage, Serving = a.LiveDeploymentId != null })
                .Concat(db.Databases.Where(d => ids.Contains(d.EnvironmentId))
                    .Select(d => new { d.EnvironmentId, Type = ServiceType.Database, d.Name, d.State, d.StateMessage, Serving = d.LiveDeploymentId != null }))
                .ToListAsync(cancellationToken))
            .ToLookup(s => s.EnvironmentId, s => new ServiceSnapshot(s.Type, s.Name, s.State, s.StateMessage, s.Serving));

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
