using Platform.Benchmarks.Harness;

namespace Platform.Benchmarks.Seeding;

/// <summary>Placeholder: 50 organizations, 1,000 environments with their applications (the catalogue seeding task writes it).</summary>
internal sealed record CatalogueSeed;

internal static class CatalogueSeeding
{
    public static Task<CatalogueSeed> SeedAsync(BenchRun run, ReportSection section, CancellationToken cancellationToken) =>
        Task.FromResult(new CatalogueSeed());
}
