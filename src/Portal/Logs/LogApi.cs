using System.Security.Claims;
using Platform.Domain.Logs;
using Platform.Portal.Infrastructure.Auth;
using Platform.Portal.Infrastructure.Problems;

namespace Platform.Portal.Logs;

public static class LogApi
{
    public sealed record LogResponse(Guid Id, DateTimeOffset CreatedAt, Guid? DeploymentId, string Instance, LogStream Stream, string? Message);

    public static RouteGroupBuilder MapLogApi(this RouteGroupBuilder api)
    {
        api.MapGet("/application/{id:guid}/log", (Guid id, HttpRequest http, ClaimsPrincipal user, LogService logs) =>
                HistoryResults.ListAsync(http, query => logs.ListForApplicationAsync(user.ToCaller(), id, query), ToResponse))
            .WithTags("Application").WithSummary("The application's log lines (builds and instances), newest first (tail, page) or after lastId");
        api.MapGet("/database/{id:guid}/log", (Guid id, HttpRequest http, ClaimsPrincipal user, LogService logs) =>
                HistoryResults.ListAsync(http, query => logs.ListForDatabaseAsync(user.ToCaller(), id, query), ToResponse))
            .WithTags("Database").WithSummary("The database's log lines, newest first (tail, page) or after lastId");
        return api;
    }

    private static LogResponse ToResponse(LogView l) => new(l.Id, l.CreatedAt, l.DeploymentId, l.Instance, l.Stream, l.Message);
}
