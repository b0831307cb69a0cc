using Platform.Benchmarks.Harness;

namespace Platform.Benchmarks.Seeding;

/// <summary>Realistic data in the fresh database (placeholder: the seeding task writes it).</summary>
internal static class Seeder
{
    public static Task<SeedData> SeedAsync(BenchRun run, ReportSection section, CancellationToken cancellationToken) =>
        Task.FromResult(new SeedData());
}
