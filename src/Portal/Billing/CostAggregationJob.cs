using System.Globalization;
using Hangfire;
using Platform.Domain.Billing.Costs;

namespace Platform.Portal.Billing;

/// <summary>Every Billing:AggregationMinutes (5; 0 turns it off): the current month's cost of every organization, from the running intervals.</summary>
public sealed class CostAggregationJob(CostAggregation aggregation)
{
    public const string Id = "cost-aggregation";

    public const int DefaultMinutes = 5;

    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    public Task RunAsync(CancellationToken cancellationToken) => aggregation.RunAsync(cancellationToken);

    /// <summary>The job's schedule; null when it is off.</summary>
    public static string? CronFrom(IConfiguration configuration)
    {
        var value = configuration["Billing:AggregationMinutes"];
        var minutes = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : DefaultMinutes;
        return minutes switch
        {
            0 => null,
            >= 60 => Cron.Hourly(),
            _ => Cron.MinuteInterval(minutes),
        };
    }
}
