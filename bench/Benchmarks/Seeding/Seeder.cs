using Platform.Benchmarks.Harness;

namespace Platform.Benchmarks.Seeding;

/// <summary>Realistic data in the fresh database: the catalogue through the API, the history by binary COPY.</summary>
internal static class Seeder
{
    public static async Task<SeedData> SeedAsync(BenchRun run, ReportSection section, CancellationToken cancellationToken)
    {
        var catalogue = await CatalogueSeeding.SeedAsync(run, section, cancellationToken);
        var history = await HistorySeeding.SeedAsync(run, catalogue, section, cancellationToken);
        return new SeedData(catalogue, history);
    }
}
