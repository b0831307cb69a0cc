using Microsoft.EntityFrameworkCore;
using Platform.Domain.Access;
using Platform.Domain.Common;

namespace Platform.Domain.Logs;

public sealed record LogView(Guid Id, DateTimeOffset CreatedAt, Guid? DeploymentId, string Instance, LogStream Stream, string Message);

/// <summary>An application's or database's log lines, paged by the shared history rules.</summary>
public sealed class LogService(IDbContextFactory<PlatformDbContext> dbFactory, TenantAccess access)
{
    public Task<Result<HistoryPage<LogView>>> ListForApplicationAsync(Caller caller, Guid applicationId, HistoryQuery query, CancellationToken cancellationToken = default) =>
        ListAsync(caller, Resource.Application(applicationId), query, cancellationToken);

    public Task<Result<HistoryPage<LogView>>> ListForDatabaseAsync(Caller caller, Guid databaseId, HistoryQuery query, CancellationToken cancellationToken = default) =>
        ListAsync(caller, Resource.Database(databaseId), query, cancellationToken);

    private async Task<Result<HistoryPage<LogView>>> ListAsync(Caller caller, Resource service, HistoryQuery query, CancellationToken cancellationToken)
    {
        var allowed = await access.CheckAsync(caller, service, Permission.Read, cancellationToken);
        if (!allowed.IsSuccess)
        {
            return allowed.Error!;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await HistoryPaging.PageAsync(
            db.LogLines.Where(l => l.ServiceId == service.Id && l.OrganizationId == allowed.Value.OrganizationId), query,
            l => new LogView(l.Id, l.CreatedAt, l.DeploymentId, l.Instance, l.Stream, l.Message), cancellationToken);
    }
}
