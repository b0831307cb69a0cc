using Hangfire;
using Platform.Domain.Applications;
using Platform.Portal.Infrastructure.Jobs;

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

    /// <summary>The job's schedule, or null when the check is off (0): <see cref="RecurringJobs.EveryMinutes"/>.</summary>
    public static string? CronFrom(IConfiguration configuration) =>
        RecurringJobs.EveryMinutes(configuration["Applications:RepositoryCheckMinutes"], DefaultMinutes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Repository check: {Checked} applications, {Unreachable} unreachable, {Queued} auto-deployments queued")]
    private partial void LogChecked(int @checked, int unreachable, int queued);
}
