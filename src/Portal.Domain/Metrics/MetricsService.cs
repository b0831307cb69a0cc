using Platform.Domain.Access;
using Platform.Domain.Common;

namespace Platform.Domain.Metrics;

/// <summary>
/// An application's metrics (PRODUCT.md section 7), for the API and the portal's pages alike: its scale and instances
/// now, against what it requested and its thresholds, and its series over time from the sampler's stored samples.
/// </summary>
public sealed class MetricsService
{
    public Task<Result<CurrentScale>> CurrentScaleAsync(Caller caller, Guid applicationId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    public Task<Result<IReadOnlyList<InstanceMetrics>>> CurrentInstancesAsync(Caller caller, Guid applicationId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>One series per instance name over the last days (1 to 90), at most about 300 points each.</summary>
    public Task<Result<IReadOnlyList<MetricSeries>>> SeriesAsync(Caller caller, Guid applicationId, MetricKind kind, int lastDays, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();
}
