using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Applications;

namespace Platform.Domain.Metrics;

/// <summary>What one instance consumed at one sample (raw, kept for hours): the row the sampler writes every period.</summary>
public sealed class InstanceSample
{
    public Guid ApplicationId { get; init; }

    /// <summary>The instance's place in its release (1..n): series follow it across releases ("instance 1").</summary>
    public int Slot { get; init; }

    public DateTimeOffset At { get; init; }

    public double CpuCores { get; init; }

    public double MemoryMb { get; init; }

    public double? StorageGb { get; init; }

    /// <summary>The readiness probe's last answer at the sample; null before its first.</summary>
    public bool? ProbePassed { get; init; }

    public double? ProbeLatencyMs { get; init; }
}

/// <summary>
/// What an application as a whole was at one sample (raw): how many instances ran ready. A row of its own rather than a
/// column of every instance's row, as it exists when no instance does (0 ready).
/// </summary>
public sealed class ApplicationSample
{
    public Guid ApplicationId { get; init; }

    public DateTimeOffset At { get; init; }

    public int ReadyInstances { get; init; }
}

/// <summary>The measures a roll-up row holds, one per row. Stored as these numbers: never renumber one.</summary>
public enum StoredMetric
{
    CpuCores = 1,
    MemoryMb = 2,
    StorageGb = 3,

    /// <summary>1 for a passing probe, 0 for a failing one: the average is the share that passed.</summary>
    ProbePassed = 4,
    ProbeLatencyMs = 5,

    /// <summary>Of the application as a whole, at slot 0.</summary>
    ReadyInstances = 6,
}

/// <summary>
/// The samples of one measure of one instance (or of the application, slot 0) within one minute or one hour, summed:
/// an average over any run of buckets is the sum of their sums over the sum of their counts, exactly the raw samples' average.
/// </summary>
public sealed class MetricRollup
{
    public const int Minute = 60;
    public const int Hour = 3600;

    public Guid ApplicationId { get; init; }

    public StoredMetric Metric { get; init; }

    /// <summary>The bucket's length: <see cref="Minute"/> or <see cref="Hour"/>.</summary>
    public int BucketSeconds { get; init; }

    /// <summary>The bucket's start, a whole minute or hour (UTC).</summary>
    public DateTimeOffset BucketStart { get; init; }

    public int Slot { get; init; }

    public double Sum { get; init; }

    public long Count { get; init; }

    public double Min { get; init; }

    public double Max { get; init; }
}

internal sealed class InstanceSampleConfiguration : IEntityTypeConfiguration<InstanceSample>
{
    public void Configure(EntityTypeBuilder<InstanceSample> builder)
    {
        builder.ToTable("instance_sample");
        builder.HasKey(s => new { s.ApplicationId, s.Slot, s.At });
        // The roll-ups are made from the rows of one sample's instant; retention deletes by age.
        builder.HasIndex(s => s.At);
        builder.HasOne<Application>().WithMany().HasForeignKey(s => s.ApplicationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ApplicationSampleConfiguration : IEntityTypeConfiguration<ApplicationSample>
{
    public void Configure(EntityTypeBuilder<ApplicationSample> builder)
    {
        builder.ToTable("application_sample");
        builder.HasKey(s => new { s.ApplicationId, s.At });
        builder.HasIndex(s => s.At);
        builder.HasOne<Application>().WithMany().HasForeignKey(s => s.ApplicationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class MetricRollupConfiguration : IEntityTypeConfiguration<MetricRollup>
{
    public void Configure(EntityTypeBuilder<MetricRollup> builder)
    {
        builder.ToTable("metric_rollup");
        // In the order a series reads them: one application, one resolution, its measures, a range of time.
        builder.HasKey(r => new { r.ApplicationId, r.BucketSeconds, r.Metric, r.BucketStart, r.Slot });
        builder.HasIndex(r => new { r.BucketSeconds, r.BucketStart });
        builder.HasOne<Application>().WithMany().HasForeignKey(r => r.ApplicationId).OnDelete(DeleteBehavior.Cascade);
    }
}
