using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Platform.Domain.Common;
using Platform.Domain.Events;
using Platform.Domain.Services;

namespace Platform.Domain.Runtime;

/// <summary>
/// Records what supervision reports (an instance crashed and was restarted, ran out of memory, the application
/// scaled) as events of the application and its environment, off the runtime's own threads.
/// </summary>
public sealed class RuntimeNoticeRecorder(IDbContextFactory<PlatformDbContext> dbFactory, TimeProvider clock) : BackgroundService, IRuntimeNotices
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
                await RecordAsync(notice, stoppingToken);
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

        var subject = new EventSubject(application.OrganizationId, application.EnvironmentId, ServiceType.Application, notice.ApplicationId, application.Name);
        await db.SaveWithEventsAsync([EventLog.New(subject, notice.State, notice.SimpleState, notice.Message, null, clock.GetUtcNow())], cancellationToken);
    }
}
