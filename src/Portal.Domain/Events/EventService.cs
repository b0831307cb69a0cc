using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Platform.Domain.Access;
using Platform.Domain.Common;
using Platform.Domain.Services;

namespace Platform.Domain.Events;

public sealed record Person(Guid Id, string Name);

public sealed record CommitView(string ShortId, string LongId, string Message);

public sealed record ServiceRef(ServiceType Type, Guid Id, string Name);

/// <summary>Narrows the organization's audit trail: to one kind of target or one target, one author, a time window.</summary>
public sealed record EventFilter(ServiceType? TargetType, Guid? TargetId, Guid? AuthorId, DateTimeOffset? From, DateTimeOffset? To)
{
    /// <summary>Reads the raw query values, answering a validation error naming the field on bad input.</summary>
    public static Result<EventFilter> Parse(string? targetType, string? targetId, string? authorId, string? from, string? to)
    {
        var errors = new Dictionary<string, string[]>();
        ServiceType? type = null;
        if (targetType is not null)
        {
            var names = Enum.GetValues<ServiceType>().ToDictionary(t => System.Text.Json.JsonNamingPolicy.SnakeCaseUpper.ConvertName(t.ToString()), t => t);
            if (names.TryGetValue(targetType, out var parsed))
            {
                type = parsed;
            }
            else
            {
                errors["targetType"] = [$"targetType is one of {string.Join(", ", names.Keys)}."];
            }
        }

        var target = QueryValues.Id(errors, "targetId", targetId);
        var author = QueryValues.Id(errors, "authorId", authorId);
        var start = QueryValues.Time(errors, "from", from);
        var end = QueryValues.Time(errors, "to", to);
        QueryValues.Window(errors, start, end);
        return errors.Count > 0 ? DomainError.Validation(errors) : new EventFilter(type, target, author, start, end);
    }
}

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

    /// <summary>The organization's audit trail: every event of its environments, services and settings, filtered.</summary>
    public Task<Result<HistoryPage<EventView>>> ListForOrganizationAsync(
        Caller caller, Guid organizationId, EventFilter filter, HistoryQuery query, CancellationToken cancellationToken = default) =>
        access.WithAsync(caller, Resource.Organization(organizationId), Permission.Read, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var scoped = db.Events.Where(e => e.OrganizationId == organizationId);
            if (filter.TargetType is { } type)
            {
                scoped = scoped.Where(e => e.ServiceType == type);
            }

            if (filter.TargetId is { } target)
            {
                scoped = scoped.Where(e => e.ServiceId == target || e.EnvironmentId == target);
            }

            if (filter.AuthorId is { } author)
            {
                scoped = scoped.Where(e => e.OwnerId == author);
            }

            if (filter.From is { } from)
            {
                scoped = scoped.Where(e => e.CreatedAt >= from);
            }

            if (filter.To is { } to)
            {
                scoped = scoped.Where(e => e.CreatedAt <= to);
            }

            return await HistoryPaging.PageAsync(scoped, query, page => page.SelectWithOwner(db, View), cancellationToken);
        }, cancellationToken);

    /// <summary>Events already committed (pushed live), in the timelines' shape.</summary>
    public async Task<IReadOnlyList<EventView>> DescribeAsync(IReadOnlyList<PlatformEvent> events, CancellationToken cancellationToken = default)
    {
        var ids = events.Select(e => e.Id).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var views = await db.Events.Where(e => ids.Contains(e.Id)).OrderBy(e => e.Sequence).SelectWithOwner(db, View).ToListAsync(cancellationToken);
        return views;
    }

    private Task<Result<HistoryPage<EventView>>> ListAsync(
        Caller caller, Resource resource, Expression<Func<PlatformEvent, bool>> scope, HistoryQuery query, CancellationToken cancellationToken) =>
        access.WithAsync(caller, resource, Permission.Read, async granted =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var scoped = db.Events.Where(e => e.OrganizationId == granted.OrganizationId).Where(scope);
            return await HistoryPaging.PageAsync(scoped, query, page => page.SelectWithOwner(db, View), cancellationToken);
        }, cancellationToken);

    private static readonly Expression<Func<PlatformEvent, Person?, EventView>> View = (e, owner) => new EventView(
        e.Id,
        e.CreatedAt,
        new ServiceStatus(e.State, e.SimpleState, e.Message),
        owner,
        new ServiceRef(e.ServiceType, e.ServiceId, e.ServiceName),
        e.CommitLongId == null ? null : new CommitView(e.CommitShortId!, e.CommitLongId, e.CommitMessage ?? ""));
}
