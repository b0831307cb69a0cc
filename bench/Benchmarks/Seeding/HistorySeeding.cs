using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;
using Platform.Benchmarks.Harness;
using Platform.Domain.Common;
using Platform.Domain.Deployments;
using Platform.Domain.Metrics;
using Platform.Domain.Services;
using Platform.Tests.Metrics;

namespace Platform.Benchmarks.Seeding;

/// <summary>One environment of the history organization with its one application, and how many rows of each list it holds.</summary>
internal sealed record HistorySide(string Name, Guid EnvironmentId, Guid ApplicationId, int Events, int LogLines, int Deployments);

/// <summary>
/// The history organization: a BIG environment (about a million events, log lines and deployments) and a SMALL one
/// (10,000 of each), each with one application; and 30 days of metrics of 8 instances of the BIG application.
/// </summary>
internal sealed record HistorySeed(Guid OrganizationId, Guid OwnerId, HistorySide Big, HistorySide Small, int MetricInstances);

/// <summary>
/// Writes the history by binary COPY, row for row as the portal's writers do: events as EventLog (a deployment's
/// environment and service events, with its id), log lines as BatchedLogWriter (with the log_count counter), a
/// deployment as DeploymentQueueing and the engine leave it (one environment_deployment with its one service_deployment,
/// finished, steps closed), metric roll-ups as MetricStore (MetricSeeding).
/// </summary>
internal static class HistorySeeding
{
    private const int SmallRows = 10_000;
    private const int MetricInstances = 8;

    public static async Task<HistorySeed> SeedAsync(BenchRun run, CatalogueSeed catalogue, ReportSection section, CancellationToken cancellationToken)
    {
        _ = catalogue; // the history has an organization of its own
        var watch = Stopwatch.StartNew();
        var bigRows = run.Options.Pick(1_000_000, 100_000);
        var owner = run.Owner;
        var organization = await owner.CreateAsync("/api/organization", new { name = "history" });
        var project = await owner.CreateAsync($"/api/organization/{organization}/project", new { name = "history" });
        var ownerId = (await owner.Client.GetFromJsonAsync<JsonObject>("/api/user", cancellationToken))!["id"]!.GetValue<Guid>();
        async Task<(Guid Environment, Guid Application)> CreateAsync(string name)
        {
            var environment = await owner.CreateAsync($"/api/project/{project}/environment", new { name, mode = "STAGING" });
            var application = await owner.CreateAsync($"/api/environment/{environment}/application",
                new { name = "web", git_repository = new { url = "/srv/git/web.git" }, start_command = "npm start", port = 3000 });
            return (environment, application);
        }

        var (bigEnvironment, bigApplication) = await CreateAsync("big");
        var (smallEnvironment, smallApplication) = await CreateAsync("small");
        // BIG: 99 % of a million events and log lines, as the brief's 990,000 against 10,000; deployments a million.
        var big = new HistorySide("BIG", bigEnvironment, bigApplication, bigRows - (bigRows / 100), bigRows - (bigRows / 100), bigRows);
        var small = new HistorySide("SMALL", smallEnvironment, smallApplication, SmallRows, SmallRows, SmallRows);
        var now = DateTimeOffset.UtcNow;

        // Deployments first (events and log lines name them), then the rest side by side on connections of their own.
        var deployments = new Dictionary<Guid, DeploymentIds>();
        foreach (var side in new[] { small, big })
        {
            deployments[side.EnvironmentId] = await WriteDeploymentsAsync(run, organization, ownerId, side, now, cancellationToken);
        }

        var minuteDays = run.Options.Pick(MetricRules.MinuteRollupDays, 1);
        await Task.WhenAll(
            Task.Run(async () =>
            {
                foreach (var side in new[] { small, big })
                {
                    await WriteEventsAsync(run, organization, ownerId, side, deployments[side.EnvironmentId], now, cancellationToken);
                }
            }, cancellationToken),
            Task.Run(async () =>
            {
                foreach (var side in new[] { small, big })
                {
                    await WriteLogLinesAsync(run, organization, side, deployments[side.EnvironmentId], now, cancellationToken);
                }
            }, cancellationToken),
            Task.Run(async () =>
            {
                await MetricSeeding.SeedRollupsAsync(run.ConnectionString, bigApplication, MetricRollup.Minute, minuteDays, MetricInstances, now);
                await MetricSeeding.SeedRollupsAsync(run.ConnectionString, bigApplication, MetricRollup.Hour, days: 30, MetricInstances, now);
                await MetricSeeding.SeedRawAsync(run.ConnectionString, bigApplication, hours: run.Options.Pick(24, 2), MetricInstances, now);
            }, cancellationToken));

        await using (var connection = await run.OpenConnectionAsync())
        {
            // VACUUM sets the visibility map, so counts and index-only scans read as they do on a database that has lived.
            await using var analyze = new NpgsqlCommand("VACUUM ANALYZE event, log_line, log_count, environment_deployment, service_deployment, metric_rollup", connection) { CommandTimeout = 600 };
            await analyze.ExecuteNonQueryAsync(cancellationToken);
        }

        var quick = run.Options.Quick ? string.Create(CultureInfo.InvariantCulture, $" (--quick: BIG holds {bigRows:N0} rows a list instead of 1,000,000).") : ".";
        section.Paragraph(string.Create(CultureInfo.InvariantCulture,
            $"History (organization \"history\", one project, environments BIG and SMALL with one application each): events {big.Events:N0} vs {small.Events:N0} (environment and application events of each deployment, plus edits), log lines of the application {big.LogLines:N0} vs {small.LogLines:N0} (last 6 days), deployments {big.Deployments:N0} vs {small.Deployments:N0} (a deployment is one environment_deployment row with its one service_deployment row, so each side has that many of both), over 30 days; metrics of {MetricInstances} instances of BIG's application: hour roll-ups for 30 days, minute roll-ups for {minuteDays} days, raw samples for {run.Options.Pick(24, 2)} h. Binary COPY then VACUUM ANALYZE in {watch.Elapsed.TotalSeconds:0.0} s{quick}"));
        return new HistorySeed(organization, ownerId, big, small, MetricInstances);
    }

    /// <summary>The ids of one side's deployments, oldest first: environment deployments and their service deployments.</summary>
    private sealed record DeploymentIds(Guid[] Environment, Guid[] Service, DateTimeOffset[] At);

    private static readonly string[] Authors = ["Add the order export", "Fix the cart total", "Bump dependencies", "Tune the cache", "Log the slow queries"];

    private static async Task<DeploymentIds> WriteDeploymentsAsync(BenchRun run, Guid organization, Guid ownerId, HistorySide side, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var count = side.Deployments;
        var environmentIds = new Guid[count];
        var serviceIds = new Guid[count];
        var at = new DateTimeOffset[count];
        var step = TimeSpan.FromDays(30) / count;
        for (var i = 0; i < count; i++)
        {
            at[i] = now - TimeSpan.FromDays(30) + (step * i);
            environmentIds[i] = Guid.CreateVersion7(at[i]);
            serviceIds[i] = Guid.CreateVersion7(at[i]);
        }

        var steps = DeploymentSteps.For(ServiceType.Application, ServiceAction.Deploy);
        await using var connection = await run.OpenConnectionAsync();
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY environment_deployment (id, organization_id, environment_id, kind, state, message, rollback_of_id, snapshot, owner_id, created_at, started_at, finished_at) FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            for (var i = 0; i < count; i++)
            {
                var failed = i % 20 == 7;
                writer.StartRow();
                writer.Write(environmentIds[i], NpgsqlDbType.Uuid);
                writer.Write(organization, NpgsqlDbType.Uuid);
                writer.Write(side.EnvironmentId, NpgsqlDbType.Uuid);
                writer.Write(nameof(DeploymentKind.Deploy), NpgsqlDbType.Varchar);
                writer.Write(failed ? nameof(DeploymentState.Failed) : nameof(DeploymentState.Ok), NpgsqlDbType.Varchar);
                writer.Write(failed ? "web: the build failed." : "Deployed.", NpgsqlDbType.Varchar);
                writer.WriteNull();
                writer.Write(JsonSerializer.Serialize<IReadOnlyList<SnapshotEntry>>(
                    [new SnapshotEntry(ServiceType.Application, side.ApplicationId, "web", failed ? null : serviceIds[i])], JsonColumn.Options), NpgsqlDbType.Jsonb);
                writer.Write(ownerId, NpgsqlDbType.Uuid);
                writer.Write(at[i], NpgsqlDbType.TimestampTz);
                writer.Write(at[i].AddSeconds(1), NpgsqlDbType.TimestampTz);
                writer.Write(at[i].AddSeconds(40), NpgsqlDbType.TimestampTz);
            }

            await writer.CompleteAsync(cancellationToken);
        }

        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY service_deployment (id, position, environment_deployment_id, organization_id, environment_id, service_type, service_id, service_name, action, state, message, " +
            "commit_short_id, commit_long_id, commit_message, previous_state, steps, owner_id, created_at, started_at, finished_at) FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            for (var i = 0; i < count; i++)
            {
                var failed = i % 20 == 7;
                var commit = Commit(i);
                var finished = at[i].AddSeconds(40);
                writer.StartRow();
                writer.Write(serviceIds[i], NpgsqlDbType.Uuid);
                writer.Write(0, NpgsqlDbType.Integer);
                writer.Write(environmentIds[i], NpgsqlDbType.Uuid);
                writer.Write(organization, NpgsqlDbType.Uuid);
                writer.Write(side.EnvironmentId, NpgsqlDbType.Uuid);
                writer.Write(nameof(ServiceType.Application), NpgsqlDbType.Varchar);
                writer.Write(side.ApplicationId, NpgsqlDbType.Uuid);
                writer.Write("web", NpgsqlDbType.Varchar);
                writer.Write(nameof(ServiceAction.Deploy), NpgsqlDbType.Varchar);
                writer.Write(failed ? nameof(DeploymentState.Failed) : nameof(DeploymentState.Ok), NpgsqlDbType.Varchar);
                writer.Write(failed ? "The build failed: npm ERR! code ELIFECYCLE." : "Running.", NpgsqlDbType.Varchar);
                writer.Write(commit[..7], NpgsqlDbType.Varchar);
                writer.Write(commit, NpgsqlDbType.Varchar);
                writer.Write(Authors[i % Authors.Length], NpgsqlDbType.Varchar);
                writer.Write(nameof(ServiceState.Running), NpgsqlDbType.Varchar);
                var closed = steps.Select((name, n) => new DeploymentStep(name, failed && n > 0 ? StepState.Skipped : failed ? StepState.Failed : StepState.Done, at[i].AddSeconds(1 + n), finished)).ToList();
                writer.Write(JsonSerializer.Serialize<IReadOnlyList<DeploymentStep>>(closed, JsonColumn.Options), NpgsqlDbType.Jsonb);
                writer.Write(ownerId, NpgsqlDbType.Uuid);
                writer.Write(at[i], NpgsqlDbType.TimestampTz);
                writer.Write(at[i].AddSeconds(1), NpgsqlDbType.TimestampTz);
                writer.Write(finished, NpgsqlDbType.TimestampTz);
            }

            await writer.CompleteAsync(cancellationToken);
        }

        return new DeploymentIds(environmentIds, serviceIds, at);
    }

    private static string Commit(int i) => Convert.ToHexStringLower(BitConverter.GetBytes((long)i * 2654435761L)).PadRight(40, 'a');

    /// <summary>
    /// The events a deployment leaves, in turn (environment QUEUED, application QUEUED, BUILDING, DEPLOYING, RUNNING or
    /// BUILD_ERROR, environment OK or FAILED), every tenth an edit of the application with no deployment.
    /// </summary>
    private static async Task WriteEventsAsync(BenchRun run, Guid organization, Guid ownerId, HistorySide side, DeploymentIds deployments, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await run.OpenConnectionAsync();
        await using var writer = await connection.BeginBinaryImportAsync(
            "COPY event (id, organization_id, environment_id, service_type, service_id, service_name, state, simple_state, message, owner_id, " +
            "commit_short_id, commit_long_id, commit_message, deployment_id, created_at) FROM STDIN (FORMAT BINARY)", cancellationToken);
        var step = TimeSpan.FromDays(30) / side.Events;
        for (var i = 0; i < side.Events; i++)
        {
            var at = now - TimeSpan.FromDays(30) + (step * i);
            var d = Math.Min(deployments.At.Length - 1, (int)((long)i * deployments.At.Length / side.Events));
            var failed = d % 20 == 7;
            var (environmentEvent, state, simple, message) = (i % 10) switch
            {
                0 => (true, "QUEUED", "Warning", "Deploy of web queued."),
                1 => (false, "QUEUED", "Warning", "Deploy queued."),
                2 => (false, "BUILDING", "Warning", "Building."),
                3 => (false, "UPDATED", "Ok", "Settings updated."),
                4 => (false, failed ? "BUILD_ERROR" : "DEPLOYING", failed ? "Error" : "Warning", failed ? "The build failed: npm ERR! code ELIFECYCLE." : "Deploying."),
                5 => (false, failed ? "BUILD_ERROR" : "RUNNING", failed ? "Error" : "Ok", failed ? "The build failed." : "Running."),
                6 => (true, failed ? "FAILED" : "OK", failed ? "Error" : "Ok", failed ? "web: the build failed." : "Deployed."),
                7 => (false, "RESTARTING", "Warning", "Restarting."),
                8 => (false, "RUNNING", "Ok", "Running."),
                _ => (false, "UPDATED", "Ok", "Variables updated."),
            };
            var deployment = i % 10 is 3 or 9 ? (Guid?)null : deployments.Environment[d];
            var commit = environmentEvent || deployment is null ? null : Commit(d);
            writer.StartRow();
            writer.Write(Guid.CreateVersion7(at), NpgsqlDbType.Uuid);
            writer.Write(organization, NpgsqlDbType.Uuid);
            writer.Write(side.EnvironmentId, NpgsqlDbType.Uuid);
            writer.Write(environmentEvent ? nameof(ServiceType.Environment) : nameof(ServiceType.Application), NpgsqlDbType.Varchar);
            writer.Write(environmentEvent ? side.EnvironmentId : side.ApplicationId, NpgsqlDbType.Uuid);
            writer.Write(environmentEvent ? "environment" : "web", NpgsqlDbType.Varchar);
            writer.Write(state, NpgsqlDbType.Varchar);
            writer.Write(simple, NpgsqlDbType.Varchar);
            writer.Write(message, NpgsqlDbType.Varchar);
            writer.Write(ownerId, NpgsqlDbType.Uuid);
            if (commit is null)
            {
                writer.WriteNull();
                writer.WriteNull();
                writer.WriteNull();
            }
            else
            {
                writer.Write(commit[..7], NpgsqlDbType.Varchar);
                writer.Write(commit, NpgsqlDbType.Varchar);
                writer.Write(Authors[d % Authors.Length], NpgsqlDbType.Varchar);
            }

            if (deployment is { } id)
            {
                writer.Write(id, NpgsqlDbType.Uuid);
            }
            else
            {
                writer.WriteNull();
            }

            writer.Write(at, NpgsqlDbType.TimestampTz);
        }

        await writer.CompleteAsync(cancellationToken);
    }

    /// <summary>A text that appears in one line in 5,000 (the text filter's benchmark searches it, in another case).</summary>
    public const string RareText = "Card Declined";

    /// <summary>
    /// Lines of the application's last deployments' builds and instances over the last 6 days (inside the 7 days the
    /// retention keeps), a mix of requests, warnings, errors and build output; then the service's counter.
    /// </summary>
    private static async Task WriteLogLinesAsync(BenchRun run, Guid organization, HistorySide side, DeploymentIds deployments, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await run.OpenConnectionAsync();
        var recent = deployments.Service[^Math.Min(100, deployments.Service.Length)..];
        var step = TimeSpan.FromDays(6) / side.LogLines;
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY log_line (id, organization_id, service_id, deployment_id, instance, stream, message, created_at) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            for (var i = 0; i < side.LogLines; i++)
            {
                var at = now - TimeSpan.FromDays(6) + (step * i);
                var deployment = recent[(int)((long)i * recent.Length / side.LogLines)];
                var (instance, stream, message) = (i % 50) switch
                {
                    0 => ("build", "Stdout", $"npm ci: added {300 + (i % 97)} packages in {2 + (i % 9)}s"),
                    1 => ("build", "System", "Build finished."),
                    7 => ($"web-{1 + (i % 8)}", "Stderr", $"Warning: slow query took {200 + (i % 800)} ms: SELECT * FROM orders WHERE customer_id = {i % 10_000}"),
                    13 => ($"web-{1 + (i % 8)}", "Stderr", $"Error: connect ETIMEDOUT 10.0.{i % 8}.5:5432 after {i % 30} retries"),
                    _ when i % 5_000 == 2_525 => ($"web-{1 + (i % 8)}", "Stderr", $"payment {i}: {RareText} by the issuer (code 51)"),
                    _ => ($"web-{1 + (i % 8)}", "Stdout", $"{(i % 3 == 0 ? "POST" : "GET")} /api/orders/{i % 100_000} {(i % 97 == 0 ? 404 : 200)} {1 + (i % 120)}ms"),
                };
                writer.StartRow();
                writer.Write(Guid.CreateVersion7(at), NpgsqlDbType.Uuid);
                writer.Write(organization, NpgsqlDbType.Uuid);
                writer.Write(side.ApplicationId, NpgsqlDbType.Uuid);
                writer.Write(deployment, NpgsqlDbType.Uuid);
                writer.Write(instance, NpgsqlDbType.Varchar);
                writer.Write(stream, NpgsqlDbType.Varchar);
                writer.Write(message, NpgsqlDbType.Varchar);
                writer.Write(at, NpgsqlDbType.TimestampTz);
            }

            await writer.CompleteAsync(cancellationToken);
        }

        await using var count = new NpgsqlCommand(
            "INSERT INTO log_count (service_id, lines) VALUES (@service, @lines) ON CONFLICT (service_id) DO UPDATE SET lines = log_count.lines + excluded.lines", connection);
        count.Parameters.AddWithValue("service", side.ApplicationId);
        count.Parameters.AddWithValue("lines", (long)side.LogLines);
        await count.ExecuteNonQueryAsync(cancellationToken);
    }
}
