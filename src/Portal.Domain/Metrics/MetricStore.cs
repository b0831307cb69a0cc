using Microsoft.EntityFrameworkCore;
using Npgsql;
using Platform.Domain.Common;
using Platform.Domain.Runtime;

namespace Platform.Domain.Metrics;

/// <summary>How often the sampler samples and how long samples are kept (section Metrics of the configuration).</summary>
public sealed record MetricsSettings(TimeSpan SampleEvery, TimeSpan RawRetention, TimeSpan RollupRetention)
{
    public static readonly MetricsSettings Default = new(TimeSpan.FromSeconds(10), TimeSpan.FromHours(24), TimeSpan.FromDays(90));

    /// <summary>Minute buckets are kept while a series may read them (<see cref="MetricRules.MinuteRollupDays"/>, a day to spare), hour buckets for the whole retention.</summary>
    public TimeSpan MinuteRollupRetention => TimeSpan.FromDays(Math.Min(RollupRetention.TotalDays, MetricRules.MinuteRollupDays + 1));
}

/// <summary>A bucket of a series as stored: the slot, its start, the average of its value and, for probes, of their latency.</summary>
public sealed record StoredPoint(int Slot, DateTimeOffset At, double Value, double? Latency);

/// <summary>
/// The metric tables' SQL, in one place: a sample written with its roll-ups in one transaction, series read in buckets,
/// retention. The raw samples are wide (a row per instance and one per application); <see cref="RawValues"/> reads them as
/// one row per measure, the shape of the roll-ups, and both the roll-ups and the raw series are made from it.
/// </summary>
public sealed class MetricStore(IDbContextFactory<PlatformDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>The raw samples as (application_id, slot, metric, at, value), a probe's answer as 1 or 0; unmeasured values are left out.</summary>
    private static readonly string RawValues = $"""
        SELECT s.application_id, s.slot, v.metric, s.at, v.value
        FROM instance_sample s
        CROSS JOIN LATERAL (VALUES
            ({(int)StoredMetric.CpuCores}, s.cpu_cores),
            ({(int)StoredMetric.MemoryMb}, s.memory_mb),
            ({(int)StoredMetric.StorageGb}, s.storage_gb),
            ({(int)StoredMetric.ProbePassed}, CASE WHEN s.probe_passed THEN 1.0::float8 WHEN NOT s.probe_passed THEN 0.0::float8 END),
            ({(int)StoredMetric.ProbeLatencyMs}, s.probe_latency_ms)) v(metric, value)
        WHERE v.value IS NOT NULL
        UNION ALL
        SELECT a.application_id, 0, {(int)StoredMetric.ReadyInstances}, a.at, a.ready_instances::float8
        FROM application_sample a
        """;

    /// <summary>Adds one sample's values to their minute and hour buckets: sums and counts add up, minimum and maximum widen.</summary>
    private static readonly string UpsertRollups = $"""
        INSERT INTO metric_rollup (application_id, bucket_seconds, metric, bucket_start, slot, sum, count, min, max)
        SELECT v.application_id, b.seconds, v.metric, date_bin(make_interval(secs => b.seconds), v.at, TIMESTAMPTZ 'epoch'), v.slot, v.value, 1, v.value, v.value
        FROM ({RawValues}) v
        CROSS JOIN (VALUES ({MetricRollup.Minute}), ({MetricRollup.Hour})) b(seconds)
        WHERE v.at = @at
        ON CONFLICT (application_id, bucket_seconds, metric, bucket_start, slot) DO UPDATE SET
            sum = metric_rollup.sum + excluded.sum,
            count = metric_rollup.count + excluded.count,
            min = least(metric_rollup.min, excluded.min),
            max = greatest(metric_rollup.max, excluded.max)
        """;

    /// <summary>
    /// Stores what the applications ran at one instant: a row per instance and one per application, and, in the same
    /// transaction, their minute and hour roll-ups (so a roll-up's average is always its raw samples' average).
    /// </summary>
    public async Task WriteAsync(DateTimeOffset at, IReadOnlyList<ApplicationSnapshot> observed, CancellationToken cancellationToken = default)
    {
        // Whole milliseconds, UTC: the instant the roll-ups find the sample's rows by.
        at = DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var application in observed)
        {
            db.ApplicationSamples.Add(new ApplicationSample { ApplicationId = application.ApplicationId, At = at, ReadyInstances = application.Ready });
            // A slot is one instance's at a time; should a runtime answer two, the first is sampled.
            db.InstanceSamples.AddRange(application.Instances.DistinctBy(i => i.Slot).Select(i => new InstanceSample
            {
                ApplicationId = application.ApplicationId,
                Slot = i.Slot,
                At = at,
                CpuCores = i.CpuCores,
                MemoryMb = i.MemoryMb,
                StorageGb = i.StorageGb,
                ProbePassed = i.LastProbe?.Passed,
                ProbeLatencyMs = i.LastProbe?.LatencyMs,
            }));
        }

        await db.SaveChangesAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync(UpsertRollups, [new NpgsqlParameter("at", at)], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// The buckets of a window with data for one application's measure, by slot then time: each the average of its
    /// samples (a sum over a count), with the average of <paramref name="latency"/> beside it when asked.
    /// </summary>
    public async Task<IReadOnlyList<StoredPoint>> ReadAsync(
        Guid applicationId, StoredMetric value, StoredMetric? latency, SeriesWindow window, CancellationToken cancellationToken = default)
    {
        var source = window.RollupSeconds is { } rollup
            ? $"SELECT application_id, slot, metric, bucket_start, sum, count FROM metric_rollup WHERE bucket_seconds = {rollup}"
            : $"SELECT application_id, slot, metric, at AS bucket_start, value AS sum, 1 AS count FROM ({RawValues}) raw";
        var metrics = latency is { } l ? $"{(int)value}, {(int)l}" : $"{(int)value}";
        static string Average(StoredMetric metric) =>
            $"sum(r.sum) FILTER (WHERE r.metric = {(int)metric}) / nullif(sum(r.count) FILTER (WHERE r.metric = {(int)metric}), 0)::float8";
        var sql = $"""
            SELECT r.slot, date_bin(INTERVAL '{window.BucketSeconds} seconds', r.bucket_start, TIMESTAMPTZ 'epoch') AS at,
                {Average(value)}, {(latency is { } shown ? Average(shown) : "NULL::float8")}
            FROM ({source}) r
            WHERE r.application_id = @application AND r.metric IN ({metrics}) AND r.bucket_start >= @from AND r.bucket_start < @end
            GROUP BY 1, 2
            ORDER BY 1, 2
            """;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add(new NpgsqlParameter("application", applicationId));
        command.Parameters.Add(new NpgsqlParameter("from", window.From));
        command.Parameters.Add(new NpgsqlParameter("end", window.End));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var points = new List<StoredPoint>();
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!await reader.IsDBNullAsync(2, cancellationToken))
            {
                points.Add(new StoredPoint(reader.GetInt32(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetDouble(2),
                    latency is null || await reader.IsDBNullAsync(3, cancellationToken) ? null : reader.GetDouble(3)));
            }
        }

        return points;
    }

    /// <summary>Deletes raw samples and roll-ups past their retention; answers how many rows went. Idempotent.</summary>
    public async Task<long> PruneAsync(MetricsSettings settings, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        var now = clock.GetUtcNow();
        var raw = now - settings.RawRetention;
        var minutes = now - settings.MinuteRollupRetention;
        var hours = now - settings.RollupRetention;
        long deleted = await db.InstanceSamples.Where(s => s.At < raw).ExecuteDeleteAsync(cancellationToken);
        deleted += await db.ApplicationSamples.Where(s => s.At < raw).ExecuteDeleteAsync(cancellationToken);
        deleted += await db.MetricRollups.Where(r => r.BucketSeconds == MetricRollup.Minute && r.BucketStart < minutes).ExecuteDeleteAsync(cancellationToken);
        deleted += await db.MetricRollups.Where(r => r.BucketSeconds == MetricRollup.Hour && r.BucketStart < hours).ExecuteDeleteAsync(cancellationToken);
        return deleted;
    }
}
