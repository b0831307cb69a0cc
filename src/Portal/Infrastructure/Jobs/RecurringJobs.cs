using Hangfire;
using Platform.Portal.Applications;
using Platform.Portal.Billing;
using Platform.Portal.Logs;

namespace Platform.Portal.Infrastructure.Jobs;

/// <summary>Every recurring job, registered in one place at start-up (Hangfire keeps them in PostgreSQL).</summary>
public static class RecurringJobs
{
    public static void Register(IServiceProvider services)
    {
        var jobs = services.GetRequiredService<IRecurringJobManager>();
        jobs.AddOrUpdate<LogRetentionJob>(LogRetentionJob.Id, job => job.RunAsync(CancellationToken.None), Cron.Hourly());
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
}
