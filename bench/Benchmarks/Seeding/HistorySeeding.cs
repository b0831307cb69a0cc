using Platform.Benchmarks.Harness;

namespace Platform.Benchmarks.Seeding;

/// <summary>Placeholder: one million events, one million log lines, deployments, 30 days of metrics of 8 instances (the history seeding task writes it).</summary>
internal sealed record HistorySeed;

internal static class HistorySeeding
{
    public static Task<HistorySeed> SeedAsync(BenchRun run, CatalogueSeed catalogue, ReportSection section, CancellationToken cancellationToken) =>
        Task.FromResult(new HistorySeed());
}
