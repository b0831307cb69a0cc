using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Platform.Domain.Clusters;
using Platform.Domain.Common;
using Platform.Domain.Events;
using Platform.Domain.Services;

namespace Platform.Domain.Environments;

/// <summary>Environments as they are answered: with their status derived from their services', and their last updater.</summary>
/// <remarks>
/// Two round trips whatever the list's length (the environments, then all their services), each a query compiled once:
/// lists answer often, and building, funcletizing and looking up their expression trees on every call cost CPU that
/// shaping the rows did not.
/// </remarks>
internal static class EnvironmentViews
{
    /// <summary>A project's environments, archived or not, by name.</summary>
    public static async Task<List<EnvironmentView>> OfProjectAsync(PlatformDbContext db, Guid projectId, bool archived, CancellationToken cancellationToken) =>
        await ViewsAsync(db, await ListAsync(OfProject(db, projectId, archived), cancellationToken), cancellationToken);

    /// <summary>One environment, or null when there is none of that id.</summary>
    public static async Task<EnvironmentView?> OneAsync(PlatformDbContext db, Guid id, CancellationToken cancellationToken) =>
        (await ViewsAsync(db, await ListAsync(One(db, id), cancellationToken), cancellationToken)).FirstOrDefault();

    /// <summary>What an environment's answer reads from its row: read only, so nothing is tracked.</summary>
    private static readonly Expression<Func<IQueryable<ProjectEnvironment>, IQueryable<Row>>> Rows = environments => environments.AsNoTracking()
        .Select(e => new Row
        {
            Environment = e,
            ClusterKind = e.Cluster!.Kind,
            Updater = e.LastUpdater == null ? null : new Person(e.LastUpdater.Id, e.LastUpdater.FirstName + " " + e.LastUpdater.LastName),
        });

    private static readonly Func<PlatformDbContext, Guid, bool, IAsyncEnumerable<Row>> OfProject = EF.CompileAsyncQuery(
        RowsOf((PlatformDbContext db, Guid projectId, bool archived) =>
            db.Environments.Where(e => e.ProjectId == projectId && e.Archived == archived).OrderBy(e => e.Name)));

    private static readonly Func<PlatformDbContext, Guid, IAsyncEnumerable<Row>> One = EF.CompileAsyncQuery(
        RowsOf((PlatformDbContext db, Guid id) => db.Environments.Where(e => e.Id == id)));

    /// <summary>Both kinds of service of the environments in one query (UNION ALL).</summary>
    private static readonly Func<PlatformDbContext, Guid[], IAsyncEnumerable<ServiceRow>> Services = EF.CompileAsyncQuery(
        (PlatformDbContext db, Guid[] ids) => db.Applications.Where(a => ids.Contains(a.EnvironmentId))
            .Select(a => new ServiceRow { EnvironmentId = a.EnvironmentId, Type = ServiceType.Application, Name = a.Name, State = a.State, StateMessage = a.StateMessage, Serving = a.LiveDeploymentId != null })
            .Concat(db.Databases.Where(d => ids.Contains(d.EnvironmentId))
                .Select(d => new ServiceRow { EnvironmentId = d.EnvironmentId, Type = ServiceType.Database, Name = d.Name, State = d.State, StateMessage = d.StateMessage, Serving = d.LiveDeploymentId != null })));

    /// <summary>The same parameters, the environments' <see cref="Rows"/> instead of the environments.</summary>
    private static Expression<Func<PlatformDbContext, T1, T2, IQueryable<Row>>> RowsOf<T1, T2>(
        Expression<Func<PlatformDbContext, T1, T2, IQueryable<ProjectEnvironment>>> environments) =>
        Expression.Lambda<Func<PlatformDbContext, T1, T2, IQueryable<Row>>>(RowsOf(environments.Body), environments.Parameters);

    private static Expression<Func<PlatformDbContext, T1, IQueryable<Row>>> RowsOf<T1>(
        Expression<Func<PlatformDbContext, T1, IQueryable<ProjectEnvironment>>> environments) =>
        Expression.Lambda<Func<PlatformDbContext, T1, IQueryable<Row>>>(RowsOf(environments.Body), environments.Parameters);

    private static Expression RowsOf(Expression environments) => ExpressionSubstitution.Replace(Rows.Body, Rows.Parameters[0], environments);

    private static async Task<List<EnvironmentView>> ViewsAsync(PlatformDbContext db, List<Row> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var services = (await ListAsync(Services(db, [.. rows.Select(r => r.Environment.Id)]), cancellationToken))
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

    private static async Task<List<T>> ListAsync<T>(IAsyncEnumerable<T> items, CancellationToken cancellationToken)
    {
        var list = new List<T>();
        await foreach (var item in items.WithCancellation(cancellationToken))
        {
            list.Add(item);
        }

        return list;
    }

    private sealed class Row
    {
        public required ProjectEnvironment Environment { get; init; }

        public ClusterKind ClusterKind { get; init; }

        public Person? Updater { get; init; }
    }

    private sealed class ServiceRow
    {
        public Guid EnvironmentId { get; init; }

        public ServiceType Type { get; init; }

        public required string Name { get; init; }

        public ServiceState State { get; init; }

        public string? StateMessage { get; init; }

        public bool Serving { get; init; }
    }
}
