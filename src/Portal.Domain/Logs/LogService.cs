using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Platform.Domain.Access;
using Platform.Domain.Common;
using Platform.Domain.Deployments;
using Platform.Domain.Events;
using Platform.Domain.Services;

namespace Platform.Domain.Logs;

/// <summary>
/// A log line as the draft shapes it: the deployment's status, owner and commit, the message, and what a known
/// failure means (Markdown), with where it came from.
/// </summary>
public sealed record LogView(
    Guid Id,
    DateTimeOffset CreatedAt,
    ServiceStatus? Status,
    Person? Owner,
    CommitView? Commit,
    string Message,
    string? MessageHumanExplanation,
    string? Hint,
    Guid? DeploymentId,
    string Instance,
    LogStream Stream)
{
    public static LogView Of(LogLine line, ServiceStatus? status, Person? owner, CommitView? commit)
    {
        var explanation = LogExplainer.Explain(line.Message);
        return new LogView(line.Id, line.CreatedAt, status, owner, commit, line.Message, explanation?.MessageHumanExplanation, explanation?.Hint,
            line.DeploymentId, line.Instance, line.Stream);
    }
}

/// <summary>An application's or database's log lines, paged by the shared history rules, newest first.</summary>
public sealed class LogService(IDbContextFactory<PlatformDbContext> dbFactory, TenantAccess access)
{
    public Task<Result<HistoryPage<LogView>>> ListForApplicationAsync(Caller caller, Guid applicationId, HistoryQuery query, CancellationToken cancellationToken = default) =>
        ListAsync(caller, Resource.Application(applicationId), query, cancellationToken);

    public Task<Result<HistoryPage<LogView>>> ListForDatabaseAsync(Caller caller, Guid databaseId, HistoryQuery query, CancellationToken cancellationToken = default) =>
        ListAsync(caller, Resource.Database(databaseId), query, cancellationToken);

    /// <summary>Lines already checked out of the database (pushed live), with their deployments' status, owner and commit.</summary>
    public async Task<IReadOnlyList<LogView>> DescribeAsync(IReadOnlyList<LogLine> lines, CancellationToken cancellationToken = default)
    {
        var ids = lines.Where(l => l.DeploymentId is not null).Select(l => l.DeploymentId!.Value).Distinct().ToList();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var deployments = await db.ServiceDeployments.Where(d => ids.Contains(d.Id)).SelectWithOwner(db, Deployment).ToDictionaryAsync(d => d.Id, cancellationToken);
        return lines.Select(l => l.DeploymentId is { } id && deployments.TryGetValue(id, out var d)
            ? LogView.Of(l, d.Status, d.Owner, d.Commit)
            : LogView.Of(l, null, null, null)).ToList();
    }

    private Task<Result<HistoryPage<LogView>>> ListAsync(Caller caller, Resource service, HistoryQuery query, CancellationToken cancellationToken) =>
        access.WithAsync<HistoryPage<LogView>>(caller, service, Permission.Read, async granted =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var page = await HistoryPaging.PageAsync(
                db.LogLines.Where(l => l.ServiceId == service.Id && l.OrganizationId == granted.OrganizationId), query, page => page,
                async () => (int)Math.Min(int.MaxValue, await db.LogCounts.Where(c => c.ServiceId == service.Id).Select(c => c.Lines).FirstOrDefaultAsync(cancellationToken)),
                cancellationToken);
            if (!page.IsSuccess)
            {
                return page.Error!;
            }

            var described = await DescribeAsync(page.Value.Results, cancellationToken);
            return new HistoryPage<LogView>(page.Value.Page, page.Value.PageSize, page.Value.Total, described);
        }, cancellationToken);

    private sealed record DeploymentFacts(Guid Id, ServiceStatus Status, Person? Owner, CommitView? Commit);

    private static readonly Expression<Func<ServiceDeployment, Person?, DeploymentFacts>> Deployment = (d, owner) => new DeploymentFacts(
        d.Id,
        DeploymentStatus.Of(d.State, d.Message),
        owner,
        d.CommitLongId == null ? null : new CommitView(d.CommitShortId!, d.CommitLongId, d.CommitMessage ?? ""));
}
