using Hangfire;
using Platform.Domain.Billing.Costs;

namespace Platform.Portal.Billing;

/// <summary>Every Billing:AggregationCron (5 minutes): the current month's cost of every organization, from the running intervals.</summary>
public sealed class CostAggregationJob(CostAggregation aggregation)
{
    public const string Id = "cost-aggregation";

    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    public Task RunAsync(CancellationToken cancellationToken) => aggregation.RunAsync(cancellationToken);
}
