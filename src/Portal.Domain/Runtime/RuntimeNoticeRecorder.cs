using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Platform.Domain.Billing.Costs;
using Platform.Domain.Common;
using Platform.Domain.Events;
using Platform.Domain.Services;

namespace Platform.Domain.Runtime;

/// <summary>
/// Records what supervision reports (an instance crashed and was restarted, ran out of memory, the application
/// scaled) as events of the application and its environment, off the runtime's own threads. A notice that cannot be
/// recorded is logged and dropped: an exception leaving a background service would stop the whole portal.
/// </summary>
public sealed partial class RuntimeNoticeRecorder(IDbContextFactory<PlatformDbContext> dbFactory, TimeProvider clock, ILogger<RuntimeNoticeRecorder> logger)
    : BackgroundService, IRuntimeNotices
{
    private readonly Channel<RuntimeNotice> _notices = Channel.CreateBounded<RuntimeNotice>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public void Report(RuntimeNotice notice) => _notices.Writer.TryWrite(notice);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var notice in _notices.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await RecordAsync(notice, stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    LogRecordFailure(exception, notice.State, notice.ApplicationId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RecordAsync(RuntimeNotice notice, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var application = await db.Applications.Where(a => a.Id == notice.ApplicationId)
            .Select(a => new { a.Name, a.EnvironmentId, a.Environment!.Project!.OrganizationId }).FirstOrDefaultAsync(cancellationToken);
        if (application is null)
        {
            return;
        }

        var now = clock.GetUtcNow();
        if (notice.Instances is { } instances)
        {
            await RunningIntervals.RescaleAsync(db, notice.ApplicationId, notice.DeploymentId, instances, now);
        }

        var subject = new EventSubject(application.OrganizationId, application.EnvironmentId, ServiceType.Application, notice.ApplicationId, application.Name);
        await db.SaveWithEventsAsync([EventLog.New(subject, notice.State, notice.SimpleState, notice.Message, null, now)], cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The runtime notice {State} of application {ApplicationId} could not be recorded")]
    private partial void LogRecordFailure(Exception exception, string state, Guid applicationId);
}
