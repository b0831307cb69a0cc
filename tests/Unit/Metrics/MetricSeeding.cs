using Npgsql;
using Platform.Domain.Metrics;

namespace Platform.Tests.Metrics;

/// <summary>
/// Stored metrics as weeks of sampling would have left them, written with SQL (a sampler would take weeks): roll-ups of
/// every measure of every instance, each bucket holding a sample every 10 s; and raw samples. Values vary by slot and hour.
/// </summary>
public static class MetricSeeding
{
    /// <summary>Roll-ups of <paramref name="bucketSeconds"/> over the last days for instances 1..n (and the application's instance count).</summary>
    public static async Task SeedRollupsAsync(string connectionString, Guid applicationId, int bucketSeconds, int days, int instances, DateTimeOffset now)
    {
        var sql = $"""
            INSERT INTO metric_rollup (application_id, bucket_seconds, metric, bucket_start, slot, sum, count, min, max)
            SELECT @application, @bucket, m.metric, t, s.slot, v.value * (@bucket / 10), @bucket / 10, v.value, v.value
            FROM generate_series(date_bin(make_interval(secs => @bucket), @now - make_interval(days => @days), TIMESTAMPTZ 'epoch'), @now, make_interval(secs => @bucket)) t
            CROSS JOIN generate_series(1, @instances) s(slot)
            CROSS JOIN (VALUES ({(int)StoredMetric.CpuCores}), ({(int)StoredMetric.MemoryMb}), ({(int)StoredMetric.StorageGb}),
                ({(int)StoredMetric.ProbePassed}), ({(int)StoredMetric.ProbeLatencyMs})) m(metric)
            CROSS JOIN LATERAL (SELECT (s.slot + extract(hour FROM t AT TIME ZONE 'UTC')) / 32.0 AS value) v
            UNION ALL
            SELECT @application, @bucket, {(int)StoredMetric.ReadyInstances}, t, 0, @instances * (@bucket / 10), @bucket / 10, @instances, @instances
            FROM generate_series(date_bin(make_interval(secs => @bucket), @now - make_interval(days => @days), TIMESTAMPTZ 'epoch'), @now, make_interval(secs => @bucket)) t
            """;
        await ExecuteAsync(connectionString, sql, applicationId, now, ("bucket", bucketSeconds), ("days", days), ("instances", instances));
    }

    /// <summary>Raw samples every 10 s over the last hours for instances 1..n, with the application's rows.</summary>
    public static async Task SeedRawAsync(string connectionString, Guid applicationId, int hours, int instances, DateTimeOffset now)
    {
        const string sql = """
            INSERT INTO instance_sample (application_id, slot, at, cpu_cores, memory_mb, storage_gb, probe_passed, probe_latency_ms)
            SELECT @application, s.slot, t, s.slot / 32.0, 100 + s.slot, 0.5, true, 5
            FROM generate_series(@now - make_interval(hours => @hours), @now, INTERVAL '10 seconds') t
            CROSS JOIN generate_series(1, @instances) s(slot);
            INSERT INTO application_sample (application_id, at, ready_instances)
            SELECT @application, t, @instances FROM generate_series(@now - make_interval(hours => @hours), @now, INTERVAL '10 seconds') t;
            ANALYZE instance_sample;
            ANALYZE application_sample;
            ANALYZE metric_rollup;
            """;
        await ExecuteAsync(connectionString, sql, applicationId, now, ("hours", hours), ("instances", instances));
    }

    private static async Task ExecuteAsync(string connectionString, string sql, Guid applicationId, DateTimeOffset now, params (string Name, int Value)[] numbers)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        command.Parameters.AddWithValue("application", applicationId);
        command.Parameters.AddWithValue("now", now);
        foreach (var (name, value) in numbers)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }
}
