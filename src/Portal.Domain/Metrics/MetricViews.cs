namespace Platform.Domain.Metrics;

/// <summary>The series <c>GET /api/application/{id}/metric/{kind}</c> answers.</summary>
public enum MetricKind
{
    Cpu,
    Memory,
    HealthCheck,
    Storage,
    Instance,
}

/// <summary>OK, WARNING or ERROR (its <see cref="SimpleState"/> the same word), with a message naming what is over; null when OK.</summary>
public sealed record MetricStatus(string State, string SimpleState, string? Message);

/// <summary>The application's scale now: its instances running against the range it asked for.</summary>
public sealed record CurrentScale(
    int Min,
    int Max,
    int Running,
    double RunningInPercent,
    int WarningThresholdInPercent,
    int AlertThresholdInPercent,
    MetricStatus Status);

/// <summary>One resource of an instance now: requested against consumed (CPU in cores, memory in MB, storage in GB).</summary>
public sealed record ResourceUsage(
    double Requested,
    double Consumed,
    double ConsumedInPercent,
    int WarningThresholdInPercent,
    int AlertThresholdInPercent,
    MetricStatus Status);

/// <summary>An instance now. <see cref="Name"/> is the series name metrics over time use ("instance 1"); storage is null where none was requested.</summary>
public sealed record InstanceMetrics(string InstanceId, string Name, ResourceUsage Cpu, ResourceUsage Memory, ResourceUsage? Storage);

/// <summary>A point of a series; <see cref="LatencyInMs"/> only for health checks.</summary>
public sealed record MetricPoint(DateTimeOffset CreatedAt, double Value, double? LatencyInMs = null);

public sealed record MetricSeries(string InstanceName, IReadOnlyList<MetricPoint> Data);
