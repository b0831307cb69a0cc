using System.Globalization;
using Platform.Domain.Metrics;

namespace Platform.Portal.Metrics;

/// <summary>The recurring job that keeps raw samples Metrics:RawRetentionHours and roll-ups Metrics:RollupRetentionDays.</summary>
public sealed partial class MetricsRetentionJob(MetricStore store, MetricsSettings settings, ILogger<MetricsRetentionJob> logger)
{
    public const string Id = "metrics-retention";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var deleted = await store.PruneAsync(settings, cancellationToken);
        LogApplied(deleted);
    }

    /// <summary>The Metrics section of the configuration; a value missing or not above 0 takes its default.</summary>
    public static MetricsSettings SettingsFrom(IConfiguration configuration)
    {
        var section = configuration.GetSection("Metrics");
        var defaults = MetricsSettings.Default;
        return new MetricsSettings(
            Positive(section["SampleSeconds"], TimeSpan.FromSeconds, defaults.SampleEvery),
            Positive(section["RawRetentionHours"], TimeSpan.FromHours, defaults.RawRetention),
            Positive(section["RollupRetentionDays"], TimeSpan.FromDays, defaults.RollupRetention));
    }

    private static TimeSpan Positive(string? value, Func<double, TimeSpan> unit, TimeSpan fallback) =>
        double.TryParse(value, CultureInfo.InvariantCulture, out var number) && number > 0 ? unit(number) : fallback;

    [LoggerMessage(Level = LogLevel.Information, Message = "Metrics retention removed {Deleted} rows")]
    private partial void LogApplied(long deleted);
}
