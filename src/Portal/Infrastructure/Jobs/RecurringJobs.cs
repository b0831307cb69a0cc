using System.Globalization;
using Hangfire;
using Platform.Portal.Billing;
using Platform.Portal.Applications;
using Platform.Portal.Idempotency;
using Platform.Portal.Logs;
using Platform.Portal.Metrics;

namespace Platform.Portal.Infrastructure.Jobs;

/// <summary>Every recurring job, registered in one place at start-up (Hangfire keeps them in PostgreSQL).</summary>
public static class RecurringJobs
{
    public static void Register(IServiceProvider services)
    {
        var jobs = services.GetRequiredService<IRecurringJobManager>();
        jobs.AddOrUpdate<LogRetentionJob>(LogRetentionJob.Id, job => job.RunAsync(CancellationToken.None), Cron.Hourly());
        jobs.AddOrUpdate<MonthCloseJob>(MonthCloseJob.Id, job => job.RunAsync(CancellationToken.None), "30 0 1 * *");
        jobs.AddOrUpdate<PaymentRetryJob>(PaymentRetryJob.Id, job => job.RunAsync(CancellationToken.None), Cron.Hourly(15));
        jobs.AddOrUpdate<IdempotencyKeyCleanupJob>(IdempotencyKeyCleanupJob.Id, job => job.RunAsync(CancellationToken.None), Cron.Hourly(45));
        jobs.AddOrUpdate<MetricsRetentionJob>(MetricsRetentionJob.Id, job => job.RunAsync(CancellationToken.None), Cron.Hourly());
        if (CostAggregationJob.CronFrom(services.GetRequiredService<IConfiguration>()) is { } aggregation)
        {
            jobs.AddOrUpdate<CostAggregationJob>(CostAggregationJob.Id, job => job.RunAsync(CancellationToken.None), aggregation);
        }
        else
        {
            jobs.RemoveIfExists(CostAggregationJob.Id);
        }

        if (RepositoryCheckJob.CronFrom(services.GetRequiredService<IConfiguration>()) is { } every)
        {
            jobs.AddOrUpdate<RepositoryCheckJob>(RepositoryCheckJob.Id, job => job.RunAsync(CancellationToken.None), every);
        }
        else
        {
            jobs.RemoveIfExists(RepositoryCheckJob.Id);
        }
    }

    /// <summary>
    /// A schedule of whole minutes from a setting (its default when unset or not a number), or null when it is 0 (off).
    /// Hangfire's schedules are cron expressions, a minute at the finest: 1 to 59 as <c>*/N</c> within each hour (a
    /// period that does not divide 60 has a shorter gap at the hour); 60 and over is hourly.
    /// </summary>
    public static string? EveryMinutes(string? setting, int defaultMinutes)
    {
        var minutes = int.TryParse(setting, NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : defaultMinutes;
        return minutes switch
        {
            0 => null,
            >= 60 => Cron.Hourly(),
            _ => Cron.MinuteInterval(minutes),
        };
    }
}
