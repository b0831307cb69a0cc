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

/// <summary>Lines to download, read as they are enumerated.</summary>
public sealed record LogExport(IAsyncEnumerable<LogLine> Lines)
{
    /// <summary>One line of the text download: <c>2026-12-02T10:04:01.123Z web-1 stderr message</c>.</summary>
    public static string Format(LogLine line) =>
        $"{line.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture)} {line.Instance} {LogFilter.StreamName(line.Stream)} {line.Message}";
}

/// <summary>An application's or database's log lines, paged by the shared history rules, newest first, optionally filtered.</summary>
public sealed class LogService(IDbContextFactory<PlatformDbContext> dbFactory, TenantAccess access)
{
    /// <summary>How many lines a download reads per round trip: it never holds the whole log in memory.</summary>
    private const int ExportBatch = 1000;

    public Task<Result<HistoryPage<LogView>>> ListForApplicationAsync(
        Caller caller, Guid applicationId, HistoryQuery query, LogFilter? filter = null, CancellationToken cancellationToken = default) =>
        ListAsync(caller, Resource.Application(applicationId), query, filter ?? LogFilter.None, cancellationToken);

    public Task<Result<HistoryPage<LogView>>> ListForDatabaseAsync(
        Caller caller, Guid databaseId, HistoryQuery query, LogFilter? filter = null, CancellationToken cancellationToken = default) =>
        ListAsync(caller, Resource.Database(databaseId), query, filter ?? LogFilter.None, cancellationToken);

    /// <summary>
    /// Every kept line of the application that matches, oldest first, for a download. Access is checked before the
    /// answer; the lines are then read in batches as the caller enumerates them.
    /// </summary>
    public Task<Result<LogExport>> ExportForApplicationAsync(Caller caller, Guid applicationId, LogFilter filter, CancellationToken cancellationToken = default) =>
        access.WithAsync<LogExport>(caller, Resource.Application(applicationId), Permission.Read, granted =>
            Task.FromResult<Result<LogExport>>(new LogExport(ExportAsync(granted.OrganizationId, applicationId, filter, cancellationToken))), cancellationToken);

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

    private Task<Result<HistoryPage<LogView>>> ListAsync(Caller caller, Resource service, HistoryQuery query, LogFilter filter, CancellationToken cancellationToken) =>
        access.WithAsync<HistoryPage<LogView>>(caller, service, Permission.Read, async granted =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var scoped = db.LogLines.Where(l => l.ServiceId == service.Id && l.OrganizationId == granted.OrganizationId);
            // Unfiltered, the total is the service's counter; filtered, it is counted (retention bounds a service's lines).
            Func<Task<int>>? total = filter.IsEmpty
                ? async () => (int)Math.Min(int.MaxValue, await db.LogCounts.Where(c => c.ServiceId == service.Id).Select(c => c.Lines).FirstOrDefaultAsync(cancellationToken))
                : null;
            var page = await HistoryPaging.PageAsync(filter.IsEmpty ? scoped : scoped.Where(filter.Predicate()), query, page => page, total, cancellationToken);
            if (!page.IsSuccess)
            {
                return page.Error!;
            }

            var described = await DescribeAsync(page.Value.Results, cancellationToken);
            return new HistoryPage<LogView>(page.Value.Page, page.Value.PageSize, page.Value.Total, described);
        }, cancellationToken);

    private async IAsyncEnumerable<LogLine> ExportAsync(
        Guid organizationId, Guid serviceId, LogFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var after = long.MinValue;
        while (true)
        {
            List<LogLine> batch;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                batch = await db.LogLines.AsNoTracking()
                    .Where(l => l.ServiceId == serviceId && l.OrganizationId == organizationId && l.Sequence > after)
                    .Where(filter.Predicate())
                    .OrderBy(l => l.Sequence).Take(ExportBatch).ToListAsync(cancellationToken);
            }

            foreach (var line in batch)
            {
                yield return line;
            }

            if (batch.Count < ExportBatch)
            {
                yield break;
            }

            after = batch[^1].Sequence;
        }
    }

    private sealed record DeploymentFacts(Guid Id, ServiceStatus Status, Person? Owner, CommitView? Commit);

    private static readonly Expression<Func<ServiceDeployment, Person?, DeploymentFacts>> Deployment = (d, owner) => new DeploymentFacts(
        d.Id,
        DeploymentStatus.Of(d.State, d.Message),
        owner,
        d.CommitLongId == null ? null : new CommitView(d.CommitShortId!, d.CommitLongId, d.CommitMessage ?? ""));
}
