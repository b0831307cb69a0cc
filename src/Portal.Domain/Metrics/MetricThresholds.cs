namespace Platform.Domain.Metrics;

/// <summary>When a measure turns WARNING and when ERROR, in percent of what was requested (or, for the scale, of the maximum).</summary>
public sealed record MetricThreshold(int WarningThresholdInPercent, int AlertThresholdInPercent);

/// <summary>An application's thresholds, one pair per measure; part of its settings, so each application may change them.</summary>
public sealed record MetricThresholds(MetricThreshold Scale, MetricThreshold Cpu, MetricThreshold Memory, MetricThreshold Storage)
{
    public const int MinPercent = 1;
    public const int MaxPercent = 100;

    /// <summary>What an application has until it says otherwise (applications made before thresholds existed too).</summary>
    public static readonly MetricThresholds Defaults = new(
        Scale: new MetricThreshold(80, 90),
        Cpu: new MetricThreshold(80, 95),
        Memory: new MetricThreshold(80, 95),
        Storage: new MetricThreshold(80, 90));

    /// <summary>The input over these thresholds: a value left out keeps its current one.</summary>
    public MetricThresholds Merge(MetricThresholdsInput? input) => input is null ? this : new(
        Merge(Scale, input.Scale), Merge(Cpu, input.Cpu), Merge(Memory, input.Memory), Merge(Storage, input.Storage));

    /// <summary>Adds an error per threshold out of its limits: a warning from 1 to 100 %, an alert from the warning to 100 %.</summary>
    public void Check(Dictionary<string, string[]> errors, string field)
    {
        foreach (var (name, threshold) in new[] { ("scale", Scale), ("cpu", Cpu), ("memory", Memory), ("storage", Storage) })
        {
            var warning = threshold.WarningThresholdInPercent;
            var at = $"{field}.{name}";
            if (warning is < MinPercent or > MaxPercent)
            {
                errors[$"{at}.warning_threshold_in_percent"] = [$"The warning threshold is from {MinPercent} to {MaxPercent} percent."];
            }
            else if (threshold.AlertThresholdInPercent < warning || threshold.AlertThresholdInPercent > MaxPercent)
            {
                errors[$"{at}.alert_threshold_in_percent"] = [$"The alert threshold is from the warning threshold ({warning}) to {MaxPercent} percent."];
            }
        }
    }

    private static MetricThreshold Merge(MetricThreshold current, MetricThresholdInput? input) => input is null ? current : new(
        input.WarningThresholdInPercent ?? current.WarningThresholdInPercent, input.AlertThresholdInPercent ?? current.AlertThresholdInPercent);
}

public sealed record MetricThresholdInput(int? WarningThresholdInPercent, int? AlertThresholdInPercent);

/// <summary>Thresholds as a caller sends them, in <c>metric_thresholds</c>; what is left out keeps its value.</summary>
public sealed record MetricThresholdsInput(MetricThresholdInput? Scale, MetricThresholdInput? Cpu, MetricThresholdInput? Memory, MetricThresholdInput? Storage);
