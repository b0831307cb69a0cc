using System.Diagnostics;
using Platform.Benchmarks.Harness;
using Platform.Benchmarks.Seeding;

namespace Platform.Benchmarks;

/// <summary>
/// bench/run.sh: a fresh PostgreSQL, the published portal on it, realistic data seeded, then every benchmark in turn,
/// and a dated Markdown report under bench/results/. See bench/README.md.
/// </summary>
internal static class BenchmarkProgram
{
    /// <summary>Every benchmark, in the order they run. Each writes one section of the report.</summary>
    private static IBenchmark[] All() =>
    [
        new Api.ApiBenchmark(),
        new Paging.PagingBenchmark(),
        new Jobs.JobsBenchmark(),
        new LiveLogs.LiveLogBenchmark(),
        new Deploy.DeployOverheadBenchmark(),
        new Portal.PortalBenchmark(),
    ];

    public static async Task<int> Main(string[] args)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Platform.sln")))
        {
            root = root.Parent;
        }

        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args, root?.FullName ?? throw new InvalidOperationException("Run from inside the repository."));
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        var watch = Stopwatch.StartNew();
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        var report = new Report();
        var benchmarks = All().Where(b => options.Runs(b.Name)).ToList();
        await using var run = await BenchRun.StartAsync(options);
        var machine = await Machine.DescribeAsync(run);
        if (benchmarks.Any(b => b.NeedsSeed))
        {
            run.Seed = await Seeder.SeedAsync(run, report.Section("Seeded data"), cancel.Token);
        }

        var failed = 0;
        foreach (var benchmark in benchmarks)
        {
            var section = report.Section(benchmark.Title);
            try
            {
                await benchmark.RunAsync(run, section, cancel.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One benchmark that breaks does not cost the others' figures; the report says what broke.
                failed++;
                section.Paragraph($"**This benchmark failed:** {e.GetType().Name}: {e.Message}");
                Console.Error.WriteLine(e);
            }
        }

        var path = report.Write(options.ResultsDirectory, options.Quick, machine, watch.Elapsed);
        Console.WriteLine();
        Console.WriteLine($"Report written to {Path.GetRelativePath(options.Root, path)} ({watch.Elapsed.TotalMinutes:0.0} min).");
        return failed == 0 ? 0 : 1;
    }

    public static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1))];
}
