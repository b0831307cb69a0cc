using System.Globalization;
using Platform.Domain.Logs;

namespace Platform.Portal.Logs;

/// <summary>The recurring job that keeps logs within Logs:RetentionDays and Logs:MaxLinesPerService.</summary>
public sealed partial class LogRetentionJob(LogRetention retention, IConfiguration configuration, ILogger<LogRetentionJob> logger)
{
    public const string Id = "log-retention";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var deleted = await retention.ApplyAsync(SettingsFrom(configuration), cancellationToken);
        LogApplied(deleted);
    }

    public static LogRetentionSettings SettingsFrom(IConfiguration configuration)
    {
        var section = configuration.GetSection("Logs");
        var days = double.TryParse(section["RetentionDays"], CultureInfo.InvariantCulture, out var d) && d > 0 ? d : LogRetentionSettings.Default.MaxAge.TotalDays;
        var lines = long.TryParse(section["MaxLinesPerService"], CultureInfo.InvariantCulture, out var l) && l > 0 ? l : LogRetentionSettings.Default.MaxLinesPerService;
        return new LogRetentionSettings(TimeSpan.FromDays(days), lines);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Log retention removed {Deleted} lines")]
    private partial void LogApplied(long deleted);
}
