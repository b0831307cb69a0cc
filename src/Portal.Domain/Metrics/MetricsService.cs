using Microsoft.EntityFrameworkCore;
using Platform.Domain.Access;
using Platform.Domain.Applications;
using Platform.Domain.Common;
using Platform.Domain.Runtime;

namespace Platform.Domain.Metrics;

/// <summary>
/// An application's metrics (PRODUCT.md section 7), for the API and the portal's pages alike: its scale and instances
/// now, against what it requested and its thresholds, and its series over time from the sampler's stored samples.
/// </summary>
public sealed class MetricsService(IDbContextFactory<PlatformDbContext> dbFactory, TenantAccess access, IRuntimes runtimes, MetricStore store, TimeProvider clock)
{
    /// <summary>Instances ready now, as the runtime sees them (not the last sample), against the application's range.</summary>
    public Task<Result<CurrentScale>> CurrentScaleAsync(Caller caller, Guid applicationId, CancellationToken cancellationToken = default) =>
        access.WithAsync<CurrentScale>(caller, Resource.Application(applicationId), Permission.Read, async _ =>
        {
            var (settings, live) = await ObserveAsync(applicationId, cancellationToken);
            return MetricRules.Scale(settings, live);
        }, cancellationToken);

    /// <summary>Each instance now, as the runtime sees it, against what the application requests.</summary>
    public Task<Result<IReadOnlyList<InstanceMetrics>>> CurrentInstancesAsync(Caller caller, Guid applicationId, CancellationToken cancellationToken = default) =>
        access.WithAsync<IReadOnlyList<InstanceMetrics>>(caller, Resource.Application(applicationId), Permission.Read, async _ =>
        {
            var (settings, live) = await ObserveAsync(applicationId, cancellationToken);
            return MetricRules.Instances(settings, live).ToList();
        }, cancellationToken);

    /// <summary>One series per instance name over the last days (1 to 90), at most about 300 points each.</summary>
    public Task<Result<IReadOnlyList<MetricSeries>>> SeriesAsync(Caller caller, Guid applicationId, MetricKind kind, int lastDays, CancellationToken cancellationToken = default)
    {
        if (lastDays is < MetricRules.MinLastDays or > MetricRules.MaxLastDays)
        {
            return Task.FromResult<Result<IReadOnlyList<MetricSeries>>>(DomainError.Validation(MetricRules.LastDaysField, MetricRules.LastDaysRule));
        }

        return access.WithAsync<IReadOnlyList<MetricSeries>>(caller, Resource.Application(applicationId), Permission.Read, async _ =>
        {
            var (value, scale) = MetricRules.Stored(kind);
            var latency = kind == MetricKind.HealthCheck ? StoredMetric.ProbeLatencyMs : (StoredMetric?)null;
            var points = await store.ReadAsync(applicationId, value, latency, MetricRules.Window(lastDays, clock.GetUtcNow()), cancellationToken);
            return points.GroupBy(p => p.Slot)
                .Select(slot => new MetricSeries(
                    kind == MetricKind.Instance ? MetricRules.InstancesSeriesName : MetricRules.SeriesName(slot.Key),
                    slot.Select(p => new MetricPoint(p.At, p.Value * scale, p.Latency)).ToList()))
                .ToList();
        }, cancellationToken);
    }

    /// <summary>The application's settings, and what its runtime runs of it now (null when it should not run or nothing does).</summary>
    private async Task<(ApplicationSettings Settings, ApplicationSnapshot? Live)> ObserveAsync(Guid applicationId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // The application with its environment's cluster in one query: the cluster names the runtime to ask.
        var application = await db.Applications.AsNoTracking().Where(a => a.Id == applicationId)
            .Select(a => new { a.Settings, a.LiveDeploymentId, a.Environment!.Cluster })
            .FirstAsync(cancellationToken);
        var live = application.LiveDeploymentId is null
            ? null
            : await runtimes.ForCluster(application.Cluster!).ObserveAsync(applicationId, cancellationToken);
        return (application.Settings, live);
    }
}
