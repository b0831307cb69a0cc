namespace Platform.Benchmarks.Harness;

/// <summary>One section of the report. Benchmarks run one after the other on the same portal and database.</summary>
internal interface IBenchmark
{
    /// <summary>Short name for <c>--only</c>: api, paging, live-logs, portal, deploy, jobs.</summary>
    string Name { get; }

    /// <summary>The report section's heading.</summary>
    string Title { get; }

    /// <summary>Whether it reads the seeded data (<see cref="BenchRun.Seed"/>); seeding runs once, before the first that does.</summary>
    bool NeedsSeed { get; }

    Task RunAsync(BenchRun run, ReportSection section, CancellationToken cancellationToken);
}
