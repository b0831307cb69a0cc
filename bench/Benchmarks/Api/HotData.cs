using System.Diagnostics;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;
using Platform.Benchmarks.Harness;
using Platform.Benchmarks.Seeding;
using Platform.Domain.Common;

namespace Platform.Benchmarks.Api;

/// <summary>What the API section needs beyond the catalogue: events on the hot environment, the hot application running, a month of usage.</summary>
internal static class HotData
{
    public const int Events = 1_000;

    /// <summary>
    /// Tops the hot environment's timeline up to 1,000 events, written as EventLog writes them (under its advisory lock,
    /// the sequence from the identity column), alternating the environment's and its application's deploy events.
    /// </summary>
    public static async Task<int> WriteEventsAsync(BenchRun run, CatalogueSeed seed, CancellationToken cancellationToken)
    {
        await using var connection = await run.OpenConnectionAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM event WHERE environment_id = $1", connection) { Parameters = { new() { Value = seed.HotEnvironmentId } } };
        var missing = Events - (int)(long)(await count.ExecuteScalarAsync(cancellationToken))!;
        if (missing <= 0)
        {
            return 0;
        }

        var ownerId = await ScalarAsync<Guid>(connection, "SELECT user_id FROM api_token WHERE token_hash = $1",
            System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(run.Owner.Token)));
        var applicationName = await ScalarAsync<string>(connection, "SELECT name FROM application WHERE id = $1", seed.HotApplicationId);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockEvents = new NpgsqlCommand("SELECT pg_advisory_xact_lock(435778055796)", connection, transaction))
        {
            // EventLog's key ("event" in ASCII): sequence order stays commit order.
            await lockEvents.ExecuteNonQueryAsync(cancellationToken);
        }

        var start = DateTime.UtcNow.AddDays(-30);
        string[] states = ["QUEUED", "BUILDING", "DEPLOYING", "RUNNING"];
        await using (var copy = await connection.BeginBinaryImportAsync(
                         "COPY event (id, organization_id, environment_id, service_type, service_id, service_name, state, simple_state, message, owner_id, " +
                         "commit_short_id, commit_long_id, commit_message, deployment_id, created_at) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            for (var i = 0; i < missing; i++)
            {
                var deployment = i / states.Length;
                var state = states[i % states.Length];
                var commit = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(deployment)))[..40];
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(Ids.New(), NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(seed.HotOrganizationId, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(seed.HotEnvironmentId, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync("Application", NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(seed.HotApplicationId, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(applicationName, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(state, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(state == "RUNNING" ? "Ok" : "Warning", NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync($"Application {applicationName} is {state.ToLowerInvariant()}.", NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(ownerId, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(commit[..7], NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(commit, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync($"Change number {deployment}", NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteNullAsync(cancellationToken);
                await copy.WriteAsync(start.AddMinutes(i * 40), NpgsqlDbType.TimestampTz, cancellationToken);
            }

            await copy.CompleteAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return missing;
    }

    /// <summary>
    /// A month of usage for the hot organization: every application of the hot project ran the whole month so far, in
    /// one-day intervals (the rows the usage recorder writes), which the cost aggregation turns into this month's cost.
    /// </summary>
    public static async Task<int> WriteUsageAsync(BenchRun run, CatalogueSeed seed, CancellationToken cancellationToken)
    {
        await using var connection = await run.OpenConnectionAsync();
        var services = new List<(Guid Project, Guid Environment, Guid Cluster, Guid Service, string ProjectName, string EnvironmentName)>();
        await using (var command = new NpgsqlCommand(
                         "SELECT p.id, e.id, e.cluster_id, a.id, p.name, e.name FROM application a JOIN environment e ON e.id = a.environment_id " +
                         "JOIN project p ON p.id = e.project_id WHERE p.id = $1 AND a.id <> $2", connection)
                     {
                         Parameters = { new() { Value = seed.HotProjectId }, new() { Value = seed.HotApplicationId } },
                     })
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                services.Add((reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetGuid(3), reader.GetString(4), reader.GetString(5)));
            }
        }

        var now = DateTime.UtcNow;
        var monthStart = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        var rows = 0;
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY service_running_interval (id, organization_id, project_id, environment_id, cluster_id, service_id, project_name, environment_name, deployment_id, " +
            "cpu, memory_mb, instances, started_at, ended_at, seen_at) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var s in services)
        {
            var deployment = Ids.New();
            for (var day = monthStart; day < now; day = day.AddDays(1))
            {
                var end = day.AddDays(1) < now ? day.AddDays(1) : now;
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(Ids.New(), NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(seed.HotOrganizationId, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(s.Project, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(s.Environment, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(s.Cluster, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(s.Service, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(s.ProjectName, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(s.EnvironmentName, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(deployment, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(0.25m, NpgsqlDbType.Numeric, cancellationToken);
                await copy.WriteAsync(128, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(1, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(day, NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(end, NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(end, NpgsqlDbType.TimestampTz, cancellationToken);
                rows++;
            }
        }

        await copy.CompleteAsync(cancellationToken);
        return rows;
    }

    /// <summary>
    /// This month's cost of the hot organization as the cost-aggregation job computes it, without waiting minutes for the
    /// job: the trial made to have ended halfway through the month so far (running time in a trial is free), then the
    /// domain's <see cref="Platform.Domain.Billing.Costs.CostAggregation"/> run for the organization. Answers the cost lines written.
    /// </summary>
    public static async Task<int> AggregateCostAsync(BenchRun run, CatalogueSeed seed, CancellationToken cancellationToken)
    {
        await using (var connection = await run.OpenConnectionAsync())
        await using (var trial = new NpgsqlCommand(
                         "UPDATE billing_account a SET trial_started_at = date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' " +
                         "+ (now() - (date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')) / 2 - make_interval(days => p.trial_days) " +
                         "FROM billing_plan p WHERE p.code = a.plan_code AND a.organization_id = $1", connection)
                     {
                         Parameters = { new() { Value = seed.HotOrganizationId } },
                     })
        {
            await trial.ExecuteNonQueryAsync(cancellationToken);
        }

        var result = await CostAggregations.On(run.ConnectionString).RunAsync(DateTimeOffset.UtcNow, seed.HotOrganizationId, null, cancellationToken);
        return result.Lines;
    }

    /// <summary>Waits (up to <paramref name="timeout"/>) for the portal's sampler to store a sample of the application with an instance; answers whether it did.</summary>
    public static async Task<bool> WaitForSampleAsync(BenchRun run, Guid applicationId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var connection = await run.OpenConnectionAsync();
        var watch = Stopwatch.StartNew();
        while (true)
        {
            await using var command = new NpgsqlCommand(
                "SELECT EXISTS (SELECT 1 FROM instance_sample WHERE application_id = $1 AND at = (SELECT max(at) FROM application_sample WHERE application_id = $1))", connection)
            {
                Parameters = { new() { Value = applicationId } },
            };
            if ((bool)(await command.ExecuteScalarAsync(cancellationToken))!)
            {
                return true;
            }

            if (watch.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(500, cancellationToken);
        }
    }

    /// <summary>Deploys an application through the API and waits until it runs or fails; answers the state it reached.</summary>
    public static async Task<string> DeployAsync(HttpClient client, Guid applicationId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var response = await client.PostAsync($"/api/application/{applicationId}/deploy", null, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return $"deploy answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}";
        }

        var watch = Stopwatch.StartNew();
        var state = "";
        while (watch.Elapsed < timeout)
        {
            var status = JsonNode.Parse(await client.GetStringAsync($"/api/application/{applicationId}/status", cancellationToken))!;
            state = (status["status"]?["state"] ?? status["state"])?.GetValue<string>() ?? "";
            if (state is "RUNNING" or "BUILD_ERROR" or "DEPLOYMENT_ERROR")
            {
                return state;
            }

            await Task.Delay(500, cancellationToken);
        }

        return $"{state} after {timeout.TotalSeconds:0} s";
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, object parameter)
    {
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = parameter } } };
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
