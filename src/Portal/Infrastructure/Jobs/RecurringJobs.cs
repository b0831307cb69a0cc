using Hangfire;
using Platform.Portal.Billing;
using Platform.Portal.Applications;
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
        jobs.AddOrUpdate<MetricsRetentionJob>(MetricsRetentionJob.Id, job => job.RunAsync(CancellationToken.None), Cron.Hourly());
        if (RepositoryCheckJob.CronFrom(services.GetRequiredService<IConfiguration>()) is { } every)
        {
            jobs.AddOrUpdate<RepositoryCheckJob>(RepositoryCheckJob.Id, job => job.RunAsync(CancellationToken.None), every);
        }
        else
        {
            jobs.RemoveIfExists(RepositoryCheckJob.Id);
        }
    }
}
