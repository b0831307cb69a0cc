using Hangfire;
using Platform.Domain.Billing.Costs;
using Platform.Portal.Infrastructure.Jobs;

namespace Platform.Portal.Billing;

/// <summary>
/// Every Billing:AggregationMinutes (5; 0 turns it off): the current month's cost of every organization, from the
/// running intervals. A run still going when the next is due makes that one give way; a failed run is not retried,
/// the next one recomputes the same month anyway.
/// </summary>
public sealed class CostAggregationJob(CostAggregation aggregation)
{
    public const string Id = "cost-aggregation";

    public const int DefaultMinutes = 5;

    [DisableConcurrentExecution(timeoutInSeconds: 10)]
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    public Task RunAsync(CancellationToken cancellationToken) => aggregation.RunAsync(cancellationToken);

    /// <summary>The job's schedule, or null when it is off: <see cref="RecurringJobs.EveryMinutes"/>.</summary>
    public static string? CronFrom(IConfiguration configuration) =>
        RecurringJobs.EveryMinutes(configuration["Billing:AggregationMinutes"], DefaultMinutes);
}
