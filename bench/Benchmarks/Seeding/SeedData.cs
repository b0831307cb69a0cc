namespace Platform.Benchmarks.Seeding;

/// <summary>What the seeding made, for the benchmarks that read it: the catalogue (organizations to applications) and the history (events, logs, deployments, metrics).</summary>
internal sealed record SeedData(CatalogueSeed Catalogue, HistorySeed History);
