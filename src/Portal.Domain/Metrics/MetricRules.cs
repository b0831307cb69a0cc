using System.Globalization;
using Platform.Domain.Applications;
using Platform.Domain.Runtime;

namespace Platform.Domain.Metrics;

/// <summary>
/// The time a series covers and how finely: buckets of <see cref="BucketSeconds"/> from <see cref="From"/> (inclusive) to
/// <see cref="End"/> (exclusive), read from the roll-up of <see cref="RollupSeconds"/> (null: the raw samples).
/// </summary>
public sealed record SeriesWindow(int? RollupSeconds, int BucketSeconds, DateTimeOffset From, DateTimeOffset End);

/// <summary>
/// The metric rules, each in one place: what a status is against its thresholds, what the scale and each instance are
/// against what the application requested, and which store and bucket a series of some days reads.
/// </summary>
public static class MetricRules
{
    public const int MaxPoints = 300;
    public const int MinLastDays = 1;
    public const int MaxLastDays = 90;
    public const string LastDaysField = "lastDays";
    public const string LastDaysRule = "lastDays is a whole number of days, from 1 to 90.";

    /// <summary>The series of the application's ready instances (<see cref="MetricKind.Instance"/>).</summary>
    public const string InstancesSeriesName = "instances";

    /// <summary>The longest series (in days) that reads the minute roll-up; older minute buckets are never read.</summary>
    public static readonly int MinuteRollupDays = Enumerable.Range(MinLastDays, MaxLastDays).Last(d => Window(d, DateTimeOffset.UnixEpoch).RollupSeconds == MetricRollup.Minute);

    private static readonly MetricStatus Ok = new("OK", "OK", null);

    /// <summary>
    /// The status of a measure at <paramref name="percent"/>: ERROR at or above the alert threshold, WARNING at or above
    /// the warning one, else OK. The message says what was measured (<paramref name="measured"/>) and which threshold it reached.
    /// </summary>
    public static MetricStatus Status(double percent, MetricThreshold threshold, string measured)
    {
        var (state, name, limit) = percent >= threshold.AlertThresholdInPercent ? ("ERROR", "alert", threshold.AlertThresholdInPercent)
            : percent >= threshold.WarningThresholdInPercent ? ("WARNING", "warning", threshold.WarningThresholdInPercent)
            : ("OK", "", 0);
        return state == "OK"
            ? Ok
            : new MetricStatus(state, state, $"{measured} ({Number(percent)}%): {(percent > limit ? "above" : "at")} the {name} threshold of {limit}%");
    }

    /// <summary>
    /// The scale now: instances ready against the maximum the application may scale to. The thresholds say how little room
    /// is left to scale, so they apply where there is a range: an application of a fixed size (minimum = maximum) runs at
    /// 100 % by design, and that is OK.
    /// </summary>
    public static CurrentScale Scale(ApplicationSettings settings, ApplicationSnapshot? live)
    {
        var running = live?.Ready ?? 0;
        var max = settings.MaxRunningInstances;
        var threshold = settings.MetricThresholds.Scale;
        var percent = Percent(running, max);
        return new CurrentScale(settings.MinRunningInstances, max, running, percent, threshold.WarningThresholdInPercent, threshold.AlertThresholdInPercent,
            max > settings.MinRunningInstances ? Status(percent, threshold, $"{running} of {max} instances running") : Ok);
    }

    /// <summary>Each instance now, by slot, against the application's requests; storage only where some is requested.</summary>
    public static IReadOnlyList<InstanceMetrics> Instances(ApplicationSettings settings, ApplicationSnapshot? live)
    {
        var thresholds = settings.MetricThresholds;
        return (live?.Instances ?? []).OrderBy(i => i.Slot).Select(i => new InstanceMetrics(
                i.Id,
                SeriesName(i.Slot),
                Usage(settings.Cpu, i.CpuCores, thresholds.Cpu, "CPU", "cores"),
                Usage(settings.Memory, i.MemoryMb, thresholds.Memory, "Memory", "MB"),
                settings.Storage is { } storage ? Usage(storage, i.StorageGb ?? 0, thresholds.Storage, "Storage", "GB") : null))
            .ToList();
    }

    /// <summary>The name of an instance's series and gauges, by its slot: "instance 1".</summary>
    public static string SeriesName(int slot) => $"instance {slot.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A part of a whole in percent, to one decimal (what is shown is what the thresholds compare); 0 of nothing is 0.</summary>
    public static double Percent(double part, double whole) => whole <= 0 ? 0 : Math.Round(part / whole * 100, 1, MidpointRounding.AwayFromZero);

    /// <summary>
    /// About <see cref="MaxPoints"/> buckets over the last days: each as long as the days over the points, read from raw
    /// samples under a minute, the minute roll-up under an hour, the hour roll-up above. A roll-up's bucket is rounded up
    /// to whole roll-up buckets, so a point averages exactly the raw samples of its time (and fewer points come back).
    /// Buckets are aligned on the Unix epoch, so the same data answers the same points from one request to the next.
    /// </summary>
    public static SeriesWindow Window(int lastDays, DateTimeOffset now)
    {
        var seconds = lastDays * 86_400;
        var bucket = seconds / MaxPoints;
        int? rollup = bucket < MetricRollup.Minute ? null : bucket < MetricRollup.Hour ? MetricRollup.Minute : MetricRollup.Hour;
        if (rollup is { } size)
        {
            bucket = (bucket + size - 1) / size * size;
        }

        // As many buckets as cover the days (never more than MaxPoints, as a bucket is at least days / MaxPoints), the last one holding now.
        var buckets = (seconds + bucket - 1) / bucket;
        var end = DateTimeOffset.FromUnixTimeSeconds((now.ToUnixTimeSeconds() / bucket + 1) * bucket);
        return new SeriesWindow(rollup, bucket, end.AddSeconds(-(long)buckets * bucket), end);
    }

    /// <summary>The stored measure a kind of series shows, and how its values read (a probe's share that passed is a percentage).</summary>
    public static (StoredMetric Value, double Scale) Stored(MetricKind kind) => kind switch
    {
        MetricKind.Cpu => (StoredMetric.CpuCores, 1),
        MetricKind.Memory => (StoredMetric.MemoryMb, 1),
        MetricKind.Storage => (StoredMetric.StorageGb, 1),
        MetricKind.HealthCheck => (StoredMetric.ProbePassed, 100),
        MetricKind.Instance => (StoredMetric.ReadyInstances, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static ResourceUsage Usage(double requested, double consumed, MetricThreshold threshold, string what, string unit)
    {
        var percent = Percent(consumed, requested);
        return new ResourceUsage(requested, consumed, percent, threshold.WarningThresholdInPercent, threshold.AlertThresholdInPercent,
            Status(percent, threshold, $"{what} {Number(consumed)} of {Number(requested)} {unit}"));
    }

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
