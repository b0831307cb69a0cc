using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Platform.Domain.Access;
using Platform.Domain.Common;
using Platform.Domain.Services;

namespace Platform.Domain.Events;

public sealed record Person(Guid Id, string Name);

public sealed record CommitView(string ShortId, string LongId, string Message);

public sealed record ServiceRef(ServiceType Type, Guid Id, string Name);

public sealed record EventView(Guid Id, DateTimeOffset CreatedAt, ServiceStatus Status, Person? Owner, ServiceRef Service, CommitView? Commit);

/// <summary>Timelines of environments and services, paged by the shared history rules.</summary>
public sealed class EventService(IDbContextFactory<PlatformDbContext> dbFactory, TenantAccess access)
{
    public Task<Result<HistoryPage<EventView>>> ListForEnvironmentAsync(Caller caller, Guid environmentId, HistoryQuery query, CancellationToken cancellationToken = default) =>
        ListAsync(caller, Resource.Environment(environmentId), e => e.EnvironmentId == environmentId, query, cancellationToken);

    public Task<Result<HistoryPage<EventView>>> ListForApplicationAsync(Caller caller, Guid applicationId, HistoryQuery query, CancellationToken cancellationToken = default) =>
        ListAsync(caller, Resource.Application(applicationId), e => e.ServiceId == applicationId, query, cancellationToken);

    public Task<Result<HistoryPage<EventView>>> ListForDatabaseAsync(Caller caller, Guid databaseId, HistoryQuery query, CancellationToken cancellationToken = default) =>
        ListAsync(caller, Resource.Database(databaseId), e => e.ServiceId == databaseId, query, cancellationToken);

    /// <summary>Events already committed (pushed live), in the timelines' shape.</summary>
    public async Task<IReadOnlyList<EventView>> DescribeAsync(IReadOnlyList<PlatformEvent> events, CancellationToken cancellationToken = default)
    {
        var ids = events.Select(e => e.Id).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var views = await db.Events.Where(e => ids.Contains(e.Id)).OrderBy(e => e.Sequence).Select(ToView(db)).ToListAsync(cancellationToken);
        return views;
    }

    private async Task<Result<HistoryPage<EventView>>> ListAsync(
        Caller caller, Resource resource, Expression<Func<PlatformEvent, bool>> scope, HistoryQuery query, CancellationToken cancellationToken)
    {
        var allowed = await access.CheckAsync(caller, resource, Permission.Read, cancellationToken);
        if (!allowed.IsSuccess)
        {
            return allowed.Error!;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var scoped = db.Events.Where(e => e.OrganizationId == allowed.Value.OrganizationId).Where(scope);
        return await HistoryPaging.PageAsync(scoped, query, ToView(db), cancellationToken);
    }

    private static Expression<Func<PlatformEvent, EventView>> ToView(PlatformDbContext db) => e => new EventView(
        e.Id,
        e.CreatedAt,
        new ServiceStatus(e.State, e.SimpleState, e.Message),
        e.OwnerId == null ? null : db.Users.Where(u => u.Id == e.OwnerId).Select(u => new Person(u.Id, u.FirstName + " " + u.LastName)).FirstOrDefault(),
        new ServiceRef(e.ServiceType, e.ServiceId, e.ServiceName),
        e.CommitLongId == null ? null : new CommitView(e.CommitShortId!, e.CommitLongId, e.CommitMessage ?? ""));
}
