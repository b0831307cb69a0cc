using Platform.Domain.Events;
using Platform.Domain.Services;

namespace Platform.Portal.Events;

public static class EventApi
{
    public sealed record OwnerResponse(Guid Id, string Name, string? PictureProfileUrl);

    public sealed record CommitResponse(string ShortId, string LongId, string Message);

    public sealed record ServiceResponse(ServiceType Type, Guid Id, string Name);

    public sealed record EventResponse(Guid Id, DateTimeOffset CreatedAt, ServiceStatus Status, OwnerResponse? Owner, ServiceResponse Service, CommitResponse? Commit);

    public static RouteGroupBuilder MapEventApi(this RouteGroupBuilder api)
    {
        // Each timeline is listed with what it belongs to.
        var group = api.MapGroup("");
        group.MapGet("/environment/{id:guid}/event", (Guid id, HttpRequest http, ApiCaller caller, EventService events) =>
                HistoryResults.ListAsync(http, query => events.ListForEnvironmentAsync(caller, id, query), ToResponse))
            .WithTags("Environment").Describe("listEnvironmentEvents", "The environment's events, newest first (tail, page) or after lastId").WithHistoryQuery();
        group.MapGet("/application/{id:guid}/event", (Guid id, HttpRequest http, ApiCaller caller, EventService events) =>
                HistoryResults.ListAsync(http, query => events.ListForApplicationAsync(caller, id, query), ToResponse))
            .WithTags("Application").Describe("listApplicationEvents", "The application's events, newest first (tail, page) or after lastId").WithHistoryQuery();
        group.MapGet("/database/{id:guid}/event", (Guid id, HttpRequest http, ApiCaller caller, EventService events) =>
                HistoryResults.ListAsync(http, query => events.ListForDatabaseAsync(caller, id, query), ToResponse))
            .WithTags("Database").Describe("listDatabaseEvents", "The database's events, newest first (tail, page) or after lastId").WithHistoryQuery();
        group.MapGet("/organization/{id:guid}/event", async (Guid id, HttpRequest http, ApiCaller caller, EventService events) =>
            {
                var q = http.Query;
                var filter = EventFilter.Parse(q["targetType"], q["targetId"], q["authorId"], q["from"], q["to"]);
                return filter.IsSuccess
                    ? await HistoryResults.ListAsync(http, query => events.ListForOrganizationAsync(caller, id, filter.Value, query), ToResponse)
                    : filter.Error!.ToProblem();
            })
            .WithTags("Organization")
            .Describe("listOrganizationEvents", "The organization's audit trail, newest first; filter by targetType, targetId (a service or an environment), authorId, from and to")
            .WithHistoryQuery()
            .WithQuery(QueryParameter.OneOf("targetType", "Only events about this kind of service.", EventFilter.TargetTypeNames))
            .WithQuery(QueryParameter.Id("targetId", "Only events about this service or environment."))
            .WithQuery(QueryParameter.Id("authorId", "Only events by this user."))
            .WithQuery(QueryParameter.Timestamp("from", "Only events at or after this time."))
            .WithQuery(QueryParameter.Timestamp("to", "Only events before this time."));
        return group;
    }

    public static OwnerResponse? ToResponse(Person? person) => person is null ? null : new OwnerResponse(person.Id, person.Name, null);

    public static EventResponse ToResponse(EventView e) => new(
        e.Id,
        e.CreatedAt,
        e.Status,
        ToResponse(e.Owner),
        new ServiceResponse(e.Service.Type, e.Service.Id, e.Service.Name),
        e.Commit is null ? null : new CommitResponse(e.Commit.ShortId, e.Commit.LongId, e.Commit.Message));
}
