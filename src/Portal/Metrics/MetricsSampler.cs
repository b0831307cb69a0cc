using Microsoft.EntityFrameworkCore;
using Platform.Domain.Applications;
using Platform.Domain.Clusters;
using Platform.Domain.Common;
using Platform.Domain.Live;
using Platform.Domain.Metrics;
using Platform.Domain.Runtime;

namespace Platform.Portal.Metrics;

/// <summary>
/// Every Metrics:SampleSeconds, asks each application that should run (it has a live deployment) what its runtime runs of
/// it, stores that as one sample with its roll-ups, then publishes it live (<see cref="MetricsSampled"/>). One
/// application's failure is logged and skipped; each observation may take at most one period.
/// </summary>
public sealed partial class MetricsSampler(
    IDbContextFactory<PlatformDbContext> dbFactory, IRuntimes runtimes, MetricStore store, ILiveNotifier live, TimeProvider clock, MetricsSettings settings,
    ILogger<MetricsSampler> logger) : BackgroundService
{
    private sealed record LiveApplication(Guid Id, Guid EnvironmentId, Guid OrganizationId, ApplicationSettings Settings, Cluster Cluster);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.SampleEvery, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SampleOnceAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogSampleFailed(exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Takes one sample of every application that should run; answers how many were sampled.</summary>
    public async Task<int> SampleOnceAsync(CancellationToken cancellationToken = default)
    {
        var at = clock.GetUtcNow();
        List<LiveApplication> applications;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            applications = await db.Applications.AsNoTracking().Where(a => a.LiveDeploymentId != null)
                .Select(a => new LiveApplication(a.Id, a.EnvironmentId, a.Environment!.Project!.OrganizationId, a.Settings, a.Environment.Cluster!))
                .ToListAsync(cancellationToken);
        }

        var observed = new List<(LiveApplication Application, ApplicationSnapshot Snapshot)>();
        foreach (var application in applications)
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(settings.SampleEvery);
            try
            {
                var snapshot = await runtimes.ForCluster(application.Cluster).ObserveAsync(application.Id, bounded.Token);
                observed.Add((application, snapshot ?? new ApplicationSnapshot(application.Id, null, 0, [])));
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                LogObserveFailed(exception, application.Id);
            }
        }

        await store.WriteAsync(at, observed.Select(o => o.Snapshot).ToList(), cancellationToken);
        foreach (var (application, snapshot) in observed)
        {
            live.Publish(new MetricsSampled(application.OrganizationId, application.EnvironmentId, application.Id, at,
                MetricRules.Scale(application.Settings, snapshot), MetricRules.Instances(application.Settings, snapshot)));
        }

        return observed.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A metrics sample failed; the next one is taken at the next period")]
    private partial void LogSampleFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Application {ApplicationId} could not be observed for its metrics sample")]
    private partial void LogObserveFailed(Exception exception, Guid applicationId);
}
