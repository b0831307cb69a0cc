using System.Globalization;
using Hangfire;
using Platform.Domain.Applications;
using Platform.Portal.Infrastructure.Jobs;

namespace Platform.Portal.Applications;

/// <summary>
/// The recurring job that checks every application's repository (<see cref="RepositoryChecks"/>) every
/// Applications:RepositoryCheckMinutes (5). A run still going when the next is due makes that one give way (it waits
/// 10 s for the lock, then is dropped, not retried).
/// </summary>
public sealed partial class RepositoryCheckJob(RepositoryChecks checks, IConfiguration configuration, ILogger<RepositoryCheckJob> logger)
{
    public const string Id = "repository-check";

    public const int DefaultMinutes = 5;

    [DisableConcurrentExecution(timeoutInSeconds: 10)]
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var outcomes = await checks.CheckAllAsync(cancellationToken, BudgetFrom(configuration));
        LogChecked(outcomes.Count, outcomes.Count(o => o.Error is not null), outcomes.Count(o => o.AutoDeploymentId is not null));
    }

    /// <summary>The job's schedule, or null when the check is off (0): <see cref="RecurringJobs.EveryMinutes"/>.</summary>
    public static string? CronFrom(IConfiguration configuration) =>
        RecurringJobs.EveryMinutes(configuration["Applications:RepositoryCheckMinutes"], DefaultMinutes);

    /// <summary>
    /// How long a run starts checks: what is left of its period once the last check started may take its whole timeout,
    /// so a run ends before the next is due (30 s at least); the applications left are the next run's first.
    /// </summary>
    public static TimeSpan BudgetFrom(IConfiguration configuration)
    {
        var minutes = int.TryParse(configuration["Applications:RepositoryCheckMinutes"], NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : DefaultMinutes;
        var left = TimeSpan.FromMinutes(Math.Clamp(minutes, 1, 60)) - RepositoryChecks.Timeout - TimeSpan.FromSeconds(15);
        return left < TimeSpan.FromSeconds(30) ? TimeSpan.FromSeconds(30) : left;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Repository check: {Checked} applications, {Unreachable} unreachable, {Queued} auto-deployments queued")]
    private partial void LogChecked(int @checked, int unreachable, int queued);
}
