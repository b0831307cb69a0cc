using Microsoft.EntityFrameworkCore;
using Platform.Domain.Common;

namespace Platform.Domain.Logs;

/// <summary>How long and how many log lines are kept (section Logs: RetentionDays, MaxLinesPerService).</summary>
public sealed record LogRetentionSettings(TimeSpan MaxAge, long MaxLinesPerService)
{
    public static readonly LogRetentionSettings Default = new(TimeSpan.FromDays(7), 100_000);
}

/// <summary>
/// Keeps logs within their retention: lines older than the age limit go, then each service's oldest lines beyond
/// its line limit; the per-service counters are recounted. Idempotent: a job may run it twice.
/// </summary>
public sealed class LogRetention(IDbContextFactory<PlatformDbContext> dbFactory, TimeProvider clock)
{
    public async Task<long> ApplyAsync(LogRetentionSettings settings, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        var cutoff = clock.GetUtcNow() - settings.MaxAge;
        long deleted = await db.LogLines.Where(l => l.CreatedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        var limit = settings.MaxLinesPerService;
        deleted += await db.Database.ExecuteSqlAsync($"""
            DELETE FROM log_line l
            USING (
                SELECT c.service_id, (SELECT x.sequence FROM log_line x WHERE x.service_id = c.service_id ORDER BY x.sequence DESC OFFSET {limit} LIMIT 1) AS last_dropped
                FROM log_count c WHERE c.lines > {limit}
            ) over_limit
            WHERE l.service_id = over_limit.service_id AND l.sequence <= over_limit.last_dropped
            """, cancellationToken);
        await db.Database.ExecuteSqlAsync($"""
            UPDATE log_count c SET lines = (SELECT count(*) FROM log_line l WHERE l.service_id = c.service_id)
            """, cancellationToken);
        await db.Database.ExecuteSqlAsync($"DELETE FROM log_count WHERE lines = 0", cancellationToken);
        return deleted;
    }
}
