using System.ComponentModel;
using System.Globalization;
using System.Text.Json.Serialization;
using Platform.Domain.Common;
using Platform.Domain.Live;
using Platform.Domain.Metrics;

namespace Platform.Portal.Metrics;

public static class MetricsApi
{
    public sealed record CurrentScaleResponse(
        int Min, int Max, int Running, double RunningInPercent, int WarningThresholdInPercent, int AlertThresholdInPercent, MetricStatus Status);

    public sealed record CpuResponse(
        double RequestedInFloat, double ConsumedInFloat, double ConsumedInPercent, int WarningThresholdInPercent, int AlertThresholdInPercent, MetricStatus Status);

    public sealed record MemoryResponse(
        double RequestedInMb, double ConsumedInMb, double ConsumedInPercent, int WarningThresholdInPercent, int AlertThresholdInPercent, MetricStatus Status);

    public sealed record StorageResponse(
        double RequestedInGb, double ConsumedInGb, double ConsumedInPercent, int WarningThresholdInPercent, int AlertThresholdInPercent, MetricStatus Status);

    /// <summary>The draft's instance, with the name its series have ("instance 1") besides.</summary>
    public sealed record InstanceResponse(string InstanceId, string InstanceName, CpuResponse Cpu, MemoryResponse Memory, StorageResponse? Storage);

    /// <summary>A point; <c>latency_in_ms</c> only in health-check series (the probes' average latency).</summary>
    public sealed record PointResponse(
        DateTimeOffset CreatedAt, double Value, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? LatencyInMs);

    public sealed record SeriesResponse(string InstanceName, IReadOnlyList<PointResponse> Data);

    /// <summary>What the hub sends as "metrics" at every sample: the application's scale and instances in the API's shapes.</summary>
    public sealed record MetricsMessage(Guid ApplicationId, DateTimeOffset At, CurrentScaleResponse CurrentScale, ListResponse<InstanceResponse> CurrentInstance);

    public const string LastDaysDescription = "Days back, from 1 to 90; 1 when left out.";

    public static RouteGroupBuilder MapMetricsApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/application/{id:guid}").WithTags("Application");
        group.MapGet("/currentScale", CurrentScaleAsync).Describe("getApplicationCurrentScale", "Instances running now against the range and the scale thresholds");
        group.MapGet("/currentInstance", CurrentInstancesAsync).Describe("getApplicationCurrentInstances", "Each instance's CPU, memory and storage now against its request and thresholds");
        // One literal route per kind, as the draft writes them; another kind is a 404.
        group.MapGet("/metric/cpu", ([Description(LastDaysDescription)] string? lastDays, Guid id, ApiCaller caller, MetricsService metrics) =>
            SeriesAsync(MetricKind.Cpu, id, lastDays, caller, metrics)).Describe("getApplicationCpuMetrics", "CPU in cores over the last days, a series per instance");
        group.MapGet("/metric/memory", ([Description(LastDaysDescription)] string? lastDays, Guid id, ApiCaller caller, MetricsService metrics) =>
            SeriesAsync(MetricKind.Memory, id, lastDays, caller, metrics)).Describe("getApplicationMemoryMetrics", "Memory in MB over the last days, a series per instance");
        group.MapGet("/metric/healthCheck", ([Description(LastDaysDescription)] string? lastDays, Guid id, ApiCaller caller, MetricsService metrics) =>
            SeriesAsync(MetricKind.HealthCheck, id, lastDays, caller, metrics))
            .Describe("getApplicationHealthCheckMetrics", "Readiness probes passed in percent, with their average latency_in_ms, over the last days, a series per instance");
        group.MapGet("/metric/storage", ([Description(LastDaysDescription)] string? lastDays, Guid id, ApiCaller caller, MetricsService metrics) =>
            SeriesAsync(MetricKind.Storage, id, lastDays, caller, metrics)).Describe("getApplicationStorageMetrics", "Storage in GB over the last days, a series per instance");
        group.MapGet("/metric/instance", ([Description(LastDaysDescription)] string? lastDays, Guid id, ApiCaller caller, MetricsService metrics) =>
            SeriesAsync(MetricKind.Instance, id, lastDays, caller, metrics)).Describe("getApplicationInstanceMetrics", "Instances ready over the last days, one series named instances");
        return group;
    }

    private static async Task<Results<Ok<CurrentScaleResponse>, ProblemHttpResult>> CurrentScaleAsync(Guid id, ApiCaller caller, MetricsService metrics) =>
        (await metrics.CurrentScaleAsync(caller, id)).ToOk(ToResponse);

    private static async Task<Results<Ok<ListResponse<InstanceResponse>>, ProblemHttpResult>> CurrentInstancesAsync(Guid id, ApiCaller caller, MetricsService metrics) =>
        (await metrics.CurrentInstancesAsync(caller, id)).ToOk(ToResponse);

    private static async Task<Results<Ok<ListResponse<SeriesResponse>>, ProblemHttpResult>> SeriesAsync(
        MetricKind kind, Guid id, string? lastDays, ApiCaller caller, MetricsService metrics)
    {
        var days = ParseLastDays(lastDays);
        return days.IsSuccess
            ? (await metrics.SeriesAsync(caller, id, kind, days.Value)).ToOk(series => new ListResponse<SeriesResponse>(series
                .Select(s => new SeriesResponse(s.InstanceName, s.Data.Select(p => new PointResponse(p.CreatedAt, p.Value, p.LatencyInMs)).ToList()))
                .ToList()))
            : days.Error!.ToProblem();
    }

    /// <summary>lastDays as sent: left out is 1 day; anything but a whole number is refused with the rule the service checks the range by.</summary>
    private static Result<int> ParseLastDays(string? lastDays) =>
        lastDays is null ? MetricRules.MinLastDays
        : int.TryParse(lastDays, NumberStyles.None, CultureInfo.InvariantCulture, out var days) ? days
        : DomainError.Validation(MetricRules.LastDaysField, MetricRules.LastDaysRule);

    public static CurrentScaleResponse ToResponse(CurrentScale s) =>
        new(s.Min, s.Max, s.Running, s.RunningInPercent, s.WarningThresholdInPercent, s.AlertThresholdInPercent, s.Status);

    public static ListResponse<InstanceResponse> ToResponse(IReadOnlyList<InstanceMetrics> instances) => new(instances.Select(i => new InstanceResponse(
            i.InstanceId,
            i.Name,
            new CpuResponse(i.Cpu.Requested, i.Cpu.Consumed, i.Cpu.ConsumedInPercent, i.Cpu.WarningThresholdInPercent, i.Cpu.AlertThresholdInPercent, i.Cpu.Status),
            new MemoryResponse(i.Memory.Requested, i.Memory.Consumed, i.Memory.ConsumedInPercent, i.Memory.WarningThresholdInPercent, i.Memory.AlertThresholdInPercent, i.Memory.Status),
            i.Storage is not { } storage ? null
                : new StorageResponse(storage.Requested, storage.Consumed, storage.ConsumedInPercent, storage.WarningThresholdInPercent, storage.AlertThresholdInPercent, storage.Status)))
        .ToList());

    public static MetricsMessage ToResponse(MetricsSampled sampled) =>
        new(sampled.ServiceId!.Value, sampled.At, ToResponse(sampled.Scale), ToResponse(sampled.Instances));
}
