using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Domain.Billing.Costs;
using Platform.Domain.Common;

namespace Platform.Benchmarks.Harness;

/// <summary>
/// The domain's <see cref="CostAggregation"/> (the work the portal's cost-aggregation job does) built on the portal's
/// database, as the portal builds it: the portal runs as a process apart, and its job runs only every few minutes.
/// </summary>
internal static class CostAggregations
{
    public static CostAggregation On(string connectionString)
    {
        var options = new DbContextOptionsBuilder<PlatformDbContext>();
        PlatformDbContext.Configure(options, connectionString);
        return new CostAggregation(new PooledDbContextFactory<PlatformDbContext>(options.Options), new NoMail(), TimeProvider.System, NullLogger<CostAggregation>.Instance);
    }

    /// <summary>No budget is set in the benchmark's organizations, so no alert mails; one that came would be a wrong figure.</summary>
    private sealed class NoMail : IMailQueue
    {
        public Task EnqueueAsync(OutgoingMail mail) => throw new InvalidOperationException("The benchmark's organizations have no budget: no alert mail was expected.");
    }
}
