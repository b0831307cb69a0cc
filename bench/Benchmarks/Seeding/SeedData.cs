namespace Platform.Benchmarks.Seeding;

/// <summary>What the seeding made, for the benchmarks that read it (placeholder: the seeding task fills it in).</summary>
internal sealed record SeedData;
