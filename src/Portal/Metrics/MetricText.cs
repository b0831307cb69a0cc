using System.Globalization;
using MudBlazor;
using Platform.Domain.Metrics;

namespace Platform.Portal.Metrics;

/// <summary>
/// How the metrics' numbers read on the application page: requested against consumed in words, and the colour of a
/// status. The status already reflects the thresholds (the domain derives it), so the page never compares numbers itself.
/// </summary>
public static class MetricText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>"0.42 of 1 core (42%)".</summary>
    public static string Cpu(ResourceUsage usage) =>
        string.Create(Invariant, $"{usage.Consumed:0.##} of {usage.Requested:0.##} {(usage.Requested == 1 ? "core" : "cores")} ({usage.ConsumedInPercent:0}%)");

    /// <summary>"180 of 256 MB (70%)".</summary>
    public static string Memory(ResourceUsage usage) =>
        string.Create(Invariant, $"{usage.Consumed:0} of {usage.Requested:0} MB ({usage.ConsumedInPercent:0}%)");

    /// <summary>"0.31 of 1 GB (31%)".</summary>
    public static string Storage(ResourceUsage usage) =>
        string.Create(Invariant, $"{usage.Consumed:0.##} of {usage.Requested:0.##} GB ({usage.ConsumedInPercent:0}%)");

    /// <summary>"2 running of 1..4" ("1 running of 1" when the range is one number).</summary>
    public static string Scale(CurrentScale scale) => scale.Min == scale.Max
        ? string.Create(Invariant, $"{scale.Running} running of {scale.Max}")
        : string.Create(Invariant, $"{scale.Running} running of {scale.Min}..{scale.Max}");

    /// <summary>OK is green, WARNING amber, ERROR red; anything else (a word the domain adds later) neutral.</summary>
    public static Color ColorOf(MetricStatus status) => status.SimpleState switch
    {
        "OK" => Color.Success,
        "WARNING" => Color.Warning,
        "ERROR" => Color.Error,
        _ => Color.Default,
    };

    /// <summary>The status's icon, in its colour beside the words (coloured text would not be legible enough on white).</summary>
    public static string IconOf(MetricStatus status) => status.SimpleState switch
    {
        "OK" => Icons.Material.Filled.CheckCircle,
        "WARNING" => Icons.Material.Filled.Warning,
        "ERROR" => Icons.Material.Filled.Error,
        _ => Icons.Material.Filled.Info,
    };

    /// <summary>The status in a word beside its colour, so the colour is never the only sign.</summary>
    public static string LabelOf(MetricStatus status) => status.SimpleState switch
    {
        "OK" => "OK",
        "WARNING" => "Warning",
        "ERROR" => "Alert",
        _ => status.State,
    };

    /// <summary>A progress bar's value: the share consumed, kept within 0..100 (an instance may burst over its request).</summary>
    public static double Gauge(double percent) => Math.Clamp(percent, 0, 100);

    public static string Title(MetricKind kind) => kind switch
    {
        MetricKind.Cpu => "CPU",
        MetricKind.Memory => "Memory",
        MetricKind.Storage => "Storage",
        MetricKind.HealthCheck => "Health check",
        MetricKind.Instance => "Instances",
        _ => kind.ToString(),
    };

    /// <summary>
    /// What a chart's values count, for its axis. The chart's ticks are whole numbers, so small quantities are drawn in a
    /// smaller unit: CPU as a share of one core (as top shows it), storage in MB. Health checks come as the percentage that passed.
    /// </summary>
    public static string ChartUnit(MetricKind kind) => kind switch
    {
        MetricKind.Cpu => "% of a core",
        MetricKind.Memory => "MB",
        MetricKind.Storage => "MB",
        MetricKind.HealthCheck => "% passed",
        MetricKind.Instance => "instances",
        _ => "",
    };

    /// <summary>What a series' value (cores, MB, GB, % passed, instances) is multiplied by to read in <see cref="ChartUnit"/>.</summary>
    public static double ChartFactor(MetricKind kind) => kind switch
    {
        MetricKind.Cpu => 100,
        MetricKind.Storage => 1024,
        _ => 1,
    };

    /// <summary>A whole tick spacing of 1, 2 or 5 times a power of ten that cuts 0..max into about five steps.</summary>
    public static int TickFor(double max)
    {
        if (max <= 5)
        {
            return 1;
        }

        var step = max / 5;
        var power = Math.Pow(10, Math.Floor(Math.Log10(step)));
        var nice = step / power <= 1 ? 1 : step / power <= 2 ? 2 : step / power <= 5 ? 5 : 10;
        return (int)Math.Max(1, nice * power);
    }

    private static readonly TimeSpan[] LabelSpacings =
    [
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(1), TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromHours(12),
        TimeSpan.FromDays(1), TimeSpan.FromDays(2), TimeSpan.FromDays(5), TimeSpan.FromDays(10),
    ];

    /// <summary>
    /// The time between the time axis' labels: the first of a few round steps that cuts the samples' span into at most
    /// six, so a young application's half hour reads as well as a month does.
    /// </summary>
    public static TimeSpan LabelSpacing(TimeSpan span) =>
        LabelSpacings.FirstOrDefault(step => span / step <= 6, LabelSpacings[^1]);

    /// <summary>"CPU over the last 7 days": a chart's heading and accessible name.</summary>
    public static string ChartTitle(MetricKind kind, int lastDays) =>
        string.Create(Invariant, $"{Title(kind)} over the last {(lastDays == 1 ? "day" : $"{lastDays} days")}");
}
