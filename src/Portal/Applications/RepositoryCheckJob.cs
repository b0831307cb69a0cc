using System.Globalization;
using Hangfire;
using Platform.Domain.Applications;

namespace Platform.Portal.Applications;

/// <summary>
/// The recurring job that checks every application's repository (<see cref="RepositoryChecks"/>) every
/// Applications:RepositoryCheckMinutes (5). A run still going when the next is due makes that one give way (it waits
/// 10 s for the lock, then is dropped, not retried).
/// </summary>
public sealed partial class RepositoryCheckJob(RepositoryChecks checks, ILogger<RepositoryCheckJob> logger)
{
    public const string Id = "repository-check";

    public const int DefaultMinutes = 5;

    [DisableConcurrentExecution(timeoutInSeconds: 10)]
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var outcomes = await checks.CheckAllAsync(cancellationToken);
        LogChecked(outcomes.Count, outcomes.Count(o => o.Error is not null), outcomes.Count(o => o.AutoDeploymentId is not null));
    }

    /// <summary>
    /// The job's schedule, or null when the check is off (0). Hangfire's schedules are cron expressions, a minute at the
    /// finest: whole minutes from 1 to 60, as <c>*/N</c> within each hour (a period that does not divide 60 has a
    /// shorter gap at the hour); 60 is hourly.
    /// </summary>
    public static string? CronFrom(IConfiguration configuration)
    {
        var value = configuration["Applications:RepositoryCheckMinutes"];
        var minutes = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : DefaultMinutes;
        return minutes switch
        {
            0 => null,
            >= 60 => Cron.Hourly(),
            _ => Cron.MinuteInterval(minutes),
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Repository check: {Checked} applications, {Unreachable} unreachable, {Queued} auto-deployments queued")]
    private partial void LogChecked(int @checked, int unreachable, int queued);
}
