using Platform.Domain.Common;
using Platform.Domain.Logs;
using Platform.Domain.Services;
using Platform.Portal.Events;

namespace Platform.Portal.Logs;

public static class LogApi
{
    /// <summary>The draft's log line, with where it came from (deployment, instance, stream) besides.</summary>
    public sealed record LogResponse(
        Guid Id,
        DateTimeOffset CreatedAt,
        ServiceStatus? Status,
        EventApi.OwnerResponse? Owner,
        EventApi.CommitResponse? Commit,
        string? Message,
        string? MessageHumanExplanation,
        string? Hint,
        Guid? DeploymentId,
        string Instance,
        LogStream Stream);

    public static RouteGroupBuilder MapLogApi(this RouteGroupBuilder api)
    {
        // Each log is listed with the service it belongs to.
        var group = api.MapGroup("");
        group.MapGet("/application/{id:guid}/log", (Guid id, HttpRequest http, ApiCaller caller, LogService logs) =>
                FilteredAsync(http, (query, filter) => logs.ListForApplicationAsync(caller, id, query, filter)))
            .WithTags("Application")
            .Describe("listApplicationLogs", "The application's log lines (builds and instances), newest first (tail, page) or after lastId, known failures explained; "
                + "filter by deployment, instance, q (text), stream (stdout, stderr, system), from and to").WithHistoryQuery().WithLogFilters();
        group.MapGet("/database/{id:guid}/log", (Guid id, HttpRequest http, ApiCaller caller, LogService logs) =>
                FilteredAsync(http, (query, filter) => logs.ListForDatabaseAsync(caller, id, query, filter)))
            .WithTags("Database").Describe("listDatabaseLogs", "The database's log lines, newest first (tail, page) or after lastId; filtered as the application's").WithHistoryQuery().WithLogFilters();
        return group;
    }

    /// <summary>The filters <see cref="LogQuery"/> reads, with the bounds it enforces.</summary>
    private static RouteHandlerBuilder WithLogFilters(this RouteHandlerBuilder builder) => builder
        .WithQuery(QueryParameter.Id("deployment", "Only this deployment's lines."))
        .WithQuery(QueryParameter.Text("instance", "Only this instance's lines.", LogFilter.MaxInstanceLength))
        .WithQuery(QueryParameter.Text("q", "Only lines containing this text.", LogFilter.MaxTextLength))
        .WithQuery(QueryParameter.OneOf("stream", "Only this stream.", [.. Enum.GetValues<LogStream>().Select(LogFilter.StreamName)]))
        .WithQuery(QueryParameter.Timestamp("from", "Only lines at or after this time."))
        .WithQuery(QueryParameter.Timestamp("to", "Only lines before this time."));

    private static async Task<Results<Ok<HistoryResponse<LogResponse>>, Ok<ListResponse<LogResponse>>, ProblemHttpResult>> FilteredAsync(
        HttpRequest http, Func<HistoryQuery, LogFilter, Task<Result<HistoryPage<LogView>>>> list)
    {
        var filter = LogQuery.Parse(http.Query);
        return filter.IsSuccess ? await HistoryResults.ListAsync(http, query => list(query, filter.Value), ToResponse) : filter.Error!.ToProblem();
    }

    public static LogResponse ToResponse(LogView l) => new(
        l.Id, l.CreatedAt, l.Status, EventApi.ToResponse(l.Owner),
        l.Commit is null ? null : new EventApi.CommitResponse(l.Commit.ShortId, l.Commit.LongId, l.Commit.Message),
        l.Message, l.MessageHumanExplanation, l.Hint, l.DeploymentId, l.Instance, l.Stream);
}
