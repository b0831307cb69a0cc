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
    /// <summary>The values <c>targetType</c> takes: the service types in UPPER_SNAKE.</summary>
    public static readonly string[] TargetTypeNames = [.. Enum.GetValues<ServiceType>().Select(t => System.Text.Json.JsonNamingPolicy.SnakeCaseUpper.ConvertName(t.ToString()))];

    public bool IsEmpty => TargetType is null && TargetId is null && AuthorId is null && From is null && To is null;

    /// <summary>Reads the raw query values, answering a validation error naming the field on bad input.</summary>
    public static Result<EventFilter> Parse(string? targetType, string? targetId, string? authorId, string? from, string? to)
    {
        var errors = new Dictionary<string, string[]>();
        ServiceType? type = null;
        if (targetType is not null)
        {
            var names = Enum.GetValues<ServiceType>().Zip(TargetTypeNames).ToDictionary(p => p.Second, p => p.First);
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

/// <summary>
/// Narrows a timeline (an environment's or a service's): to one deployment, given as an environment deployment's id or
/// one of its service deployments' (the events of the whole environment deployment), and to one simple state.
/// </summary>
public sealed record TimelineFilter(Guid? DeploymentId, SimpleState? Status)
{
    public static readonly TimelineFilter None = new(null, null);

    public bool IsEmpty => DeploymentId is null && Status is null;

    /// <summary>The state as the URL writes it: <c>ok</c>, <c>warning</c>, <c>error</c>.</summary>
    public static string StatusName(SimpleState state) => state.ToString().ToLowerInvariant();

    /// <summary>Reads the raw query values (blank ones mean no filter), answering a validation error naming the field on bad input.</summary>
    public static Result<TimelineFilter> Parse(string? deployment, string? status)
    {
        var errors = new Dictionary<string, string[]>();
        var id = QueryValues.Id(errors, "deployment", string.IsNullOrWhiteSpace(deployment) ? null : deployment.Trim());
        SimpleState? state = null;
        if (!string.IsNullOrWhiteSpace(status))
        {
            var states = Enum.GetValues<SimpleState>();
            state = states.Where(s => string.Equals(StatusName(s), status.Trim(), StringComparison.OrdinalIgnoreCase)).Select(s => (SimpleState?)s).FirstOrDefault();
            if (state is null)
            {
                errors["status"] = [$"status is one of {string.Join(", ", states.Select(StatusName))}."];
            }
        }

        return errors.Count > 0 ? DomainError.Validation(errors) : new TimelineFilter(id, state);
    }
}

/// <param name="DeploymentId">The environment deployment the event tells of (portal only; the API's event has no such field).</param>
public sealed record EventView(Guid Id, DateTimeOffset CreatedAt, ServiceStatus Status, Person? Owner, ServiceRef Service, CommitView? Commit, Guid? DeploymentId = null);

/// <summary>Timelines of environments and services, paged by the shared history rules.</summary>
public sealed class EventService(IDbContextFactory<PlatformDbContext> dbFactory, TenantAccess access)
{
    public Task<Result<HistoryPage<EventView>>> ListForEnvironmentAsync(
        Caller caller, Guid environmentId, HistoryQuery query, TimelineFilter? filter = null, CancellationToken cancellationToken = default) =>
        ListAsync(caller, Resource.Environment(environmentId), HistoryList.EnvironmentEvents, e => e.EnvironmentId == environmentId, query, filter ?? TimelineFilter.None, cancellationToken);

    public Task<Result<HistoryPage<EventView>>> ListForApplicationAsync(
        Caller caller, Guid applicationId, HistoryQuery query, TimelineFilter? filter = null, CancellationToken cancellationToken = default) =>
        ListAsync(caller, Resource.Application(applicationId), HistoryList.ServiceEvents, e => e.ServiceId == applicationId, query, filter ?? TimelineFilter.None, cancellationToken);

    public Task<Result<HistoryPage<EventView>>> ListForDatabaseAsync(
        Caller caller, Guid databaseId, HistoryQuery query, TimelineFilter? filter = null, CancellationToken cancellationToken = default) =>
        ListAsync(caller, Resource.Database(databaseId), HistoryList.ServiceEvents, e => e.ServiceId == databaseId, query, filter ?? TimelineFilter.None, cancellationToken);

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

            // Unfiltered, the total is the organization's counter; filtered, it is counted.
            var total = filter.IsEmpty ? HistoryList.Total(db, HistoryList.OrganizationEvents, organizationId, cancellationToken) : null;
            return await HistoryPaging.PageAsync(scoped, query, page => page.SelectWithOwner(db, View), total, cancellationToken);
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
        Caller caller, Resource resource, string list, Expression<Func<PlatformEvent, bool>> scope, HistoryQuery query, TimelineFilter filter, CancellationToken cancellationToken) =>
        access.WithAsync(caller, resource, Permission.Read, async granted =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var scoped = db.Events.Where(e => e.OrganizationId == granted.OrganizationId).Where(scope);
            if (filter.DeploymentId is { } asked)
            {
                // A service deployment's id stands for its environment deployment, which the events name.
                var environmentDeployment = await db.ServiceDeployments.Where(d => d.Id == asked && d.OrganizationId == granted.OrganizationId)
                    .Select(d => (Guid?)d.EnvironmentDeploymentId).FirstOrDefaultAsync(cancellationToken) ?? asked;
                scoped = scoped.Where(e => e.DeploymentId == environmentDeployment);
            }

            if (filter.Status is { } status)
            {
                scoped = scoped.Where(e => e.SimpleState == status);
            }

            // Unfiltered, the total is the environment's or service's counter; filtered, it is counted.
            var total = filter.IsEmpty ? HistoryList.Total(db, list, resource.Id, cancellationToken) : null;
            return await HistoryPaging.PageAsync(scoped, query, page => page.SelectWithOwner(db, View), total, cancellationToken);
        }, cancellationToken);

    private static readonly Expression<Func<PlatformEvent, Person?, EventView>> View = (e, owner) => new EventView(
        e.Id,
        e.CreatedAt,
        new ServiceStatus(e.State, e.SimpleState, e.Message),
        owner,
        new ServiceRef(e.ServiceType, e.ServiceId, e.ServiceName),
        e.CommitLongId == null ? null : new CommitView(e.CommitShortId!, e.CommitLongId, e.CommitMessage ?? ""),
        e.DeploymentId);
}
