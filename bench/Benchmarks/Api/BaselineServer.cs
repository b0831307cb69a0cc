using System.Buffers;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Npgsql;
using Platform.Domain.Access;
using Platform.Domain.Applications;
using Platform.Domain.Billing.Costs;
using Platform.Domain.Clusters;
using Platform.Domain.Common;
using Platform.Domain.Deployments;
using Platform.Domain.Members;
using Platform.Domain.Metrics;
using Platform.Domain.Runtime;
using Platform.Domain.Environments;
using Platform.Domain.Services;
using Platform.Domain.Variables;

namespace Platform.Benchmarks.Api;

/// <summary>
/// The hand-written baseline the API is measured against: Kestrel with one terminal RequestDelegate (no routing, no MVC,
/// no authentication middleware), one NpgsqlDataSource, SQL written by hand. It does what the portal must do for each
/// endpoint and no more: the same token check (SHA-256 of the presented token looked up, not expired; last use
/// recorded at most once a minute), the same access check (the caller a member of the organization owning the
/// resource, 404 otherwise), the data query, and the same JSON, written with Utf8JsonWriter. Where the answer follows a
/// domain rule (an environment's status, a cloud provider's name, a built-in variable's id) it calls the domain's own
/// function, so that no rule is written twice. currentInstance reads the sampler's stored samples where the portal asks the runtime (see CurrentInstancesAsync).
/// </summary>
internal sealed class BaselineServer : IAsyncDisposable
{
    private const string TokenPrefix = "plt_";
    private static readonly JsonNamingPolicy Upper = JsonNamingPolicy.SnakeCaseUpper;
    private static readonly byte[] HealthyBody = "Healthy"u8.ToArray();

    private readonly WebApplication _app;
    private readonly NpgsqlDataSource _data;
    private readonly Uri _portal;

    private BaselineServer(WebApplication app, NpgsqlDataSource data, Uri portal, Uri address)
    {
        _app = app;
        _data = data;
        _portal = portal;
        Address = address;
    }

    public Uri Address { get; }

    /// <param name="portal">The portal's address: answers carry absolute links (cloud provider logos) built on it.</param>
    public static async Task<BaselineServer> StartAsync(string connectionString, Uri portal)
    {
        var port = Platform.Portal.Infrastructure.FreePorts.Next();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        // The portal's connection settings (no reset on close, statements prepared once per connection), so the ratio
        // compares the work around the queries, not two ways of using PostgreSQL.
        var data = new NpgsqlDataSourceBuilder(Platform.Portal.Infrastructure.Postgres.PlatformDatabase.Tuned(connectionString + ";Maximum Pool Size=64")).Build();
        var server = new BaselineServer(app, data, portal, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"));
        app.Run(server.HandleOrReportAsync);
        await app.StartAsync();
        return server;
    }

    private int _failures;

    /// <summary>A failure of the baseline answers 500, and the first is written out: a baseline's errors are its own bug, not load.</summary>
    private async Task HandleOrReportAsync(HttpContext context)
    {
        try
        {
            await HandleAsync(context);
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            if (Interlocked.Increment(ref _failures) == 1)
            {
                await Console.Error.WriteLineAsync($"baseline: {context.Request.Path} failed: {e}");
            }

            if (!context.Response.HasStarted)
            {
                context.Response.StatusCode = 500;
            }
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (path == "/healthz")
        {
            await using (var command = _data.CreateCommand("SELECT 1"))
            {
                await command.ExecuteScalarAsync(context.RequestAborted);
            }

            context.Response.ContentType = "text/plain";
            await context.Response.Body.WriteAsync(HealthyBody, context.RequestAborted);
            return;
        }

        // /api/{kind}/{id}/{list}
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 4 || parts[0] != "api" || !Guid.TryParse(parts[2], out var id))
        {
            context.Response.StatusCode = 404;
            return;
        }

        await using var connection = await _data.OpenConnectionAsync(context.RequestAborted);
        var userId = await AuthenticateAsync(connection, context.Request.Headers.Authorization.ToString(), context.RequestAborted);
        if (userId is null)
        {
            context.Response.StatusCode = 401;
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(4096);
        int status;
        await using (var json = new Utf8JsonWriter(buffer))
        {
            status = (parts[1], parts[3]) switch
            {
                ("environment", "event") => Found(await EventsAsync(connection, json, userId.Value, id, context.RequestAborted)),
                ("project", "environment") => Found(await EnvironmentsAsync(connection, json, userId.Value, id, context.RequestAborted)),
                ("application", "environmentVariable") => Found(await VariablesAsync(connection, json, userId.Value, id, context.RequestAborted)),
                ("application", "currentInstance") => Found(await CurrentInstancesAsync(connection, json, userId.Value, id, context.RequestAborted)),
                ("organization", "currentCost") => await CurrentCostAsync(connection, json, userId.Value, id, context.RequestAborted),
                _ => 404,
            };
        }

        if (status != 200)
        {
            // 403 and 404 without the portal's problem details: the benchmark measures the answers, not the refusals.
            context.Response.StatusCode = status;
            return;
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    /// <summary>The portal's rule: a token with its prefix, hashed with SHA-256 and found unexpired; its last use written at most once a minute.</summary>
    private static async Task<Guid?> AuthenticateAsync(NpgsqlConnection connection, string header, CancellationToken cancellationToken)
    {
        var space = header.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || !header[..space].Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var presented = header[(space + 1)..].Trim();
        if (!presented.StartsWith(TokenPrefix, StringComparison.Ordinal) || presented.Length > 200)
        {
            return null;
        }

        await using var command = new NpgsqlCommand(
            "SELECT id, user_id, last_used_at, organization_id FROM api_token WHERE token_hash = $1 AND (expires_at IS NULL OR expires_at > now())", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = SHA256.HashData(Encoding.UTF8.GetBytes(presented)) });
        Guid tokenId, userId;
        DateTime? lastUsed;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken) || !reader.IsDBNull(3))
            {
                // Organization tokens are not what this benchmark sends.
                return null;
            }

            tokenId = reader.GetGuid(0);
            userId = reader.GetGuid(1);
            lastUsed = reader.IsDBNull(2) ? null : reader.GetDateTime(2);
        }

        if (lastUsed is null || DateTime.UtcNow - lastUsed > TimeSpan.FromMinutes(1))
        {
            // A batch, not one command of two statements: PostgreSQL refuses several statements with $n parameters in one,
            // and the failure (every request once the token's last use was a minute old) made the baseline answer 500s fast.
            await using var touch = new NpgsqlBatch(connection)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand("UPDATE api_token SET last_used_at = now() WHERE id = $1") { Parameters = { new NpgsqlParameter { Value = tokenId } } },
                    new NpgsqlBatchCommand("UPDATE _user SET last_activity_at = now() WHERE id = $1") { Parameters = { new NpgsqlParameter { Value = userId } } },
                },
            };
            await touch.ExecuteNonQueryAsync(cancellationToken);
        }

        return userId;
    }

    /// <summary>The organization owning the resource when the user is a member of it; null (404) otherwise. <paramref name="owner"/> answers the resource's organization id.</summary>
    private static async Task<Guid?> OrganizationAsync(NpgsqlConnection connection, string owner, Guid userId, Guid id, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT m.organization_id FROM ({owner}) r JOIN organization_member m ON m.organization_id = r.organization_id AND m.user_id = $2", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        return await command.ExecuteScalarAsync(cancellationToken) as Guid?;
    }

    private const string EnvironmentOwner = "SELECT p.organization_id FROM environment e JOIN project p ON p.id = e.project_id WHERE e.id = $1";
    private const string ProjectOwner = "SELECT organization_id FROM project WHERE id = $1";

    /// <summary>GET /api/environment/{id}/event?tail=50: the count and the newest 50 with their owners.</summary>
    private static async Task<bool> EventsAsync(NpgsqlConnection connection, Utf8JsonWriter json, Guid userId, Guid environmentId, CancellationToken cancellationToken)
    {
        if (await OrganizationAsync(connection, EnvironmentOwner, userId, environmentId, cancellationToken) is not { } organization)
        {
            return false;
        }

        const int tail = 50;
        await using var batch = Batch(connection, [organization, environmentId],
            "SELECT count(*) FROM event WHERE organization_id = $1 AND environment_id = $2",
            "SELECT e.id, e.created_at, e.state, e.simple_state, e.message, e.owner_id, u.first_name, u.last_name, e.service_type, e.service_id, e.service_name, " +
            "e.commit_short_id, e.commit_long_id, e.commit_message FROM event e LEFT JOIN _user u ON u.id = e.owner_id " +
            "WHERE e.organization_id = $1 AND e.environment_id = $2 ORDER BY e.sequence DESC LIMIT 50");
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var total = reader.GetInt64(0);
        await reader.NextResultAsync(cancellationToken);
        json.WriteStartObject();
        json.WriteNumber("page", 1);
        json.WriteNumber("page_size", tail);
        json.WriteNumber("total", total);
        json.WriteStartArray("results");
        while (await reader.ReadAsync(cancellationToken))
        {
            json.WriteStartObject();
            json.WriteString("id", reader.GetGuid(0));
            WriteTime(json, "created_at", reader.GetDateTime(1));
            json.WriteStartObject("status");
            json.WriteString("state", reader.GetString(2));
            json.WriteString("simple_state", Upper.ConvertName(reader.GetString(3)));
            json.WriteString("message", reader.GetString(4));
            json.WriteEndObject();
            if (reader.IsDBNull(6))
            {
                // The owner is a user (deleted ones answer null) or the auto-deploy actor.
                if (!reader.IsDBNull(5) && reader.GetGuid(5) == Platform.Domain.Access.SystemActors.AutoDeployId)
                {
                    WritePerson(json, "owner", Platform.Domain.Access.SystemActors.AutoDeployId, Platform.Domain.Access.SystemActors.AutoDeployName);
                }
                else
                {
                    json.WriteNull("owner");
                }
            }
            else
            {
                WritePerson(json, "owner", reader.GetGuid(5), reader.GetString(6) + " " + reader.GetString(7));
            }

            json.WriteStartObject("service");
            json.WriteString("type", Upper.ConvertName(reader.GetString(8)));
            json.WriteString("id", reader.GetGuid(9));
            json.WriteString("name", reader.GetString(10));
            json.WriteEndObject();
            if (reader.IsDBNull(12))
            {
                json.WriteNull("commit");
            }
            else
            {
                json.WriteStartObject("commit");
                json.WriteString("short_id", reader.GetString(11));
                json.WriteString("long_id", reader.GetString(12));
                json.WriteString("message", reader.IsDBNull(13) ? "" : reader.GetString(13));
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        return true;
    }

    /// <summary>GET /api/project/{id}/environment: the unarchived environments by name, with their cluster, last updater and services' status.</summary>
    private async Task<bool> EnvironmentsAsync(NpgsqlConnection connection, Utf8JsonWriter json, Guid userId, Guid projectId, CancellationToken cancellationToken)
    {
        if (await OrganizationAsync(connection, ProjectOwner, userId, projectId, cancellationToken) is null)
        {
            return false;
        }

        await using var batch = Batch(connection, [projectId],
            "SELECT e.id, e.created_at, e.updated_at, e.name, e.mode, e.archived, e.project_id, e.cluster_id, c.kind, u.id, u.first_name, u.last_name " +
            "FROM environment e JOIN cluster c ON c.id = e.cluster_id LEFT JOIN _user u ON u.id = e.last_updater_id " +
            "WHERE e.project_id = $1 AND NOT e.archived ORDER BY e.name",
            "SELECT 0, a.environment_id, a.name, a.state, a.state_message, a.live_deployment_id IS NOT NULL FROM application a JOIN environment e ON e.id = a.environment_id " +
            "WHERE e.project_id = $1 AND NOT e.archived " +
            "UNION ALL SELECT 1, d.environment_id, d.name, d.state, d.state_message, d.live_deployment_id IS NOT NULL FROM _database d JOIN environment e ON e.id = d.environment_id " +
            "WHERE e.project_id = $1 AND NOT e.archived");
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var rows = new List<(Guid Id, DateTime Created, DateTime Updated, string Name, string Mode, bool Archived, Guid Project, Guid Cluster, string Kind, Guid? UpdaterId, string? Updater)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetGuid(0), reader.GetDateTime(1), reader.GetDateTime(2), reader.GetString(3), reader.GetString(4), reader.GetBoolean(5), reader.GetGuid(6),
                reader.GetGuid(7), reader.GetString(8), reader.IsDBNull(9) ? null : reader.GetGuid(9), reader.IsDBNull(9) ? null : reader.GetString(10) + " " + reader.GetString(11)));
        }

        await reader.NextResultAsync(cancellationToken);
        var services = new List<(Guid Environment, ServiceSnapshot Snapshot)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            services.Add((reader.GetGuid(1), new ServiceSnapshot(reader.GetInt32(0) == 0 ? ServiceType.Application : ServiceType.Database, reader.GetString(2),
                Enum.Parse<ServiceState>(reader.GetString(3)), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetBoolean(5))));
        }

        var byEnvironment = services.ToLookup(s => s.Environment, s => s.Snapshot);
        json.WriteStartObject();
        json.WriteStartArray("results");
        foreach (var e in rows)
        {
            var own = byEnvironment[e.Id].ToList();
            var status = EnvironmentStatus.Derive(own);
            var provider = CloudProvider.For(Enum.Parse<ClusterKind>(e.Kind));
            json.WriteStartObject();
            json.WriteString("id", e.Id);
            WriteTime(json, "created_at", e.Created);
            WriteTime(json, "updated_at", e.Updated);
            json.WriteString("name", e.Name);
            json.WriteString("mode", Upper.ConvertName(e.Mode));
            json.WriteStartObject("status");
            json.WriteString("state", status.State);
            json.WriteString("simple_state", Upper.ConvertName(status.SimpleState.ToString()));
            json.WriteString("message", status.Message);
            json.WriteEndObject();
            if (e.UpdaterId is { } updater)
            {
                WritePerson(json, "last_updater", updater, e.Updater!);
            }
            else
            {
                json.WriteNull("last_updater");
            }

            json.WriteStartObject("cloud_provider");
            json.WriteString("id", e.Cluster);
            json.WriteString("name", provider.Name);
            json.WriteString("short_name", provider.ShortName);
            json.WriteString("logo_url", new Uri(_portal, provider.LogoPath).ToString());
            json.WriteEndObject();
            json.WriteNumber("total_services", own.Count);
            json.WriteBoolean("archived", e.Archived);
            json.WriteString("project_id", e.Project);
            json.WriteString("cluster_id", e.Cluster);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        return true;
    }

    /// <summary>
    /// GET /api/application/{id}/environmentVariable: the effective variables (not secrets) of the application, nearest
    /// scope first, with the scope each overrides, over the built-in ones. Databases' built-ins need the runtime's
    /// address: the benchmark measures an application whose environment has none.
    /// </summary>
    private static async Task<bool> VariablesAsync(NpgsqlConnection connection, Utf8JsonWriter json, Guid userId, Guid applicationId, CancellationToken cancellationToken)
    {
        await using var batch = Batch(connection, [applicationId, userId],
            "SELECT p.organization_id, p.id, p.name, e.id, e.name, a.name, (a.settings->>'port')::int, " +
            "EXISTS (SELECT 1 FROM _database d WHERE d.environment_id = e.id) " +
            "FROM application a JOIN environment e ON e.id = a.environment_id JOIN project p ON p.id = e.project_id " +
            "JOIN organization_member m ON m.organization_id = p.organization_id AND m.user_id = $2 WHERE a.id = $1",
            "SELECT v.id, v.key, v.value, v.scope, v.is_secret FROM variable v JOIN application a ON a.id = $1 JOIN environment e ON e.id = a.environment_id " +
            "JOIN project p ON p.id = e.project_id JOIN organization_member m ON m.organization_id = p.organization_id AND m.user_id = $2 " +
            "WHERE v.organization_id = p.organization_id AND (v.project_id IS NULL OR v.project_id = p.id) " +
            "AND (v.environment_id IS NULL OR v.environment_id = e.id) AND (v.application_id IS NULL OR v.application_id = a.id)");
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return false;
        }

        if (reader.GetBoolean(7))
        {
            throw new InvalidOperationException("The baseline lists the variables of applications whose environment has no database.");
        }

        var projectId = reader.GetGuid(1).ToString();
        var environmentId = reader.GetGuid(3).ToString();
        // Built-ins are named after the holder (the application), as the portal's BuiltInVariables makes them.
        var candidates = new List<(Guid Id, string Key, string? Value, VariableScope Scope, bool Secret)>();
        void BuiltIn(string key, string value) => candidates.Add((BuiltInVariables.IdOf(applicationId, key), key, value, VariableScope.BuiltIn, false));
        BuiltIn("PLATFORM_PROJECT_ID", projectId);
        BuiltIn("PLATFORM_PROJECT_NAME", reader.GetString(2));
        BuiltIn("PLATFORM_ENVIRONMENT_ID", environmentId);
        BuiltIn("PLATFORM_ENVIRONMENT_NAME", reader.GetString(4));
        BuiltIn("PLATFORM_APPLICATION_ID", applicationId.ToString());
        BuiltIn("PLATFORM_APPLICATION_NAME", reader.GetString(5));
        BuiltIn(VariableRules.PortKey, reader.GetInt32(6).ToString(CultureInfo.InvariantCulture));
        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            candidates.Add((reader.GetGuid(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), Enum.Parse<VariableScope>(reader.GetString(3)), reader.GetBoolean(4)));
        }

        json.WriteStartObject();
        json.WriteStartArray("results");
        foreach (var group in candidates.GroupBy(c => c.Key, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var ordered = group.OrderByDescending(c => c.Scope).ToList();
            var nearest = ordered[0];
            if (nearest.Secret)
            {
                continue;
            }

            json.WriteStartObject();
            json.WriteString("id", nearest.Id);
            json.WriteString("key", nearest.Key);
            json.WriteString("value", nearest.Value ?? "");
            json.WriteString("scope", Upper.ConvertName(nearest.Scope.ToString()));
            if (ordered.Count > 1)
            {
                json.WriteString("overridden_scope", Upper.ConvertName(ordered[1].Scope.ToString()));
            }
            else
            {
                json.WriteNull("overridden_scope");
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        return true;
    }

    private static int Found(bool found) => found ? 200 : 404;

    /// <summary>
    /// GET /api/application/{id}/currentInstance from what is stored: the application's settings and the sampler's last
    /// sample of each instance (the platform asks the runtime instead, in its process). No instances when the application
    /// has no live release, as on the platform. The runtime's instance id is stored nowhere: <c>instance_id</c> is null
    /// here, and the consumed figures are the last sample's (at most one sampling period old), not the runtime's now.
    /// The figures against the requests and thresholds come from the domain's <see cref="MetricRules.Instances"/>.
    /// </summary>
    private static async Task<bool> CurrentInstancesAsync(NpgsqlConnection connection, Utf8JsonWriter json, Guid userId, Guid applicationId, CancellationToken cancellationToken)
    {
        await using var batch = Batch(connection, [applicationId, userId],
            "SELECT a.settings::text, a.live_deployment_id IS NOT NULL FROM application a JOIN environment e ON e.id = a.environment_id JOIN project p ON p.id = e.project_id " +
            "JOIN organization_member m ON m.organization_id = p.organization_id AND m.user_id = $2 WHERE a.id = $1",
            "SELECT s.slot, s.cpu_cores, s.memory_mb, s.storage_gb FROM instance_sample s " +
            "WHERE s.application_id = $1 AND s.at = (SELECT max(at) FROM application_sample WHERE application_id = $1)");
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return false;
        }

        var settings = JsonSerializer.Deserialize<ApplicationSettings>(reader.GetString(0), JsonColumn.Options)!;
        var live = reader.GetBoolean(1);
        await reader.NextResultAsync(cancellationToken);
        var sampled = new List<InstanceSnapshot>();
        while (live && await reader.ReadAsync(cancellationToken))
        {
            sampled.Add(new InstanceSnapshot("", Guid.Empty, InstanceState.Ready, 0, reader.GetDouble(1), reader.GetDouble(2), default)
            {
                Slot = reader.GetInt32(0),
                StorageGb = reader.IsDBNull(3) ? null : reader.GetDouble(3),
            });
        }

        json.WriteStartObject();
        json.WriteStartArray("results");
        foreach (var instance in MetricRules.Instances(settings, new ApplicationSnapshot(applicationId, null, sampled.Count, sampled)))
        {
            json.WriteStartObject();
            json.WriteNull("instance_id");
            json.WriteString("instance_name", instance.Name);
            WriteUsage(json, "cpu", "float", instance.Cpu);
            WriteUsage(json, "memory", "mb", instance.Memory);
            if (instance.Storage is { } storage)
            {
                WriteUsage(json, "storage", "gb", storage);
            }
            else
            {
                json.WriteNull("storage");
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        return true;
    }

    private static void WriteUsage(Utf8JsonWriter json, string name, string unit, ResourceUsage usage)
    {
        json.WriteStartObject(name);
        json.WriteNumber($"requested_in_{unit}", usage.Requested);
        json.WriteNumber($"consumed_in_{unit}", usage.Consumed);
        json.WriteNumber("consumed_in_percent", usage.ConsumedInPercent);
        json.WriteNumber("warning_threshold_in_percent", usage.WarningThresholdInPercent);
        json.WriteNumber("alert_threshold_in_percent", usage.AlertThresholdInPercent);
        WriteStatus(json, usage.Status);
        json.WriteEndObject();
    }

    private static void WriteStatus(Utf8JsonWriter json, MetricStatus status)
    {
        json.WriteStartObject("status");
        json.WriteString("state", status.State);
        json.WriteString("simple_state", status.SimpleState);
        if (status.Message is null)
        {
            json.WriteNull("message");
        }
        else
        {
            json.WriteString("message", status.Message);
        }

        json.WriteEndObject();
    }

    private static readonly string[] QuotaKinds = [nameof(DeploymentKind.Deploy), nameof(DeploymentKind.Restart), nameof(DeploymentKind.Rollback)];

    /// <summary>
    /// GET /api/organization/{id}/currentCost: the figures the cost aggregation last stored for this month (billing_month,
    /// environment_month_cost), the account and its plan, the credit left and the deployment quota, for OWNER and ADMIN
    /// (the domain's <see cref="RolePolicy"/>; other members 403, strangers 404). The trial's days left, the cost (the
    /// plan's price until the aggregation ran) and the quota's remainder are derived by hand from the same columns.
    /// </summary>
    private static async Task<int> CurrentCostAsync(NpgsqlConnection connection, Utf8JsonWriter json, Guid userId, Guid organizationId, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var month = CostAggregation.MonthOf(now);
        var monthStart = new DateTimeOffset(month.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        await using var batch = Batch(connection, [organizationId, userId, month, monthStart, QuotaKinds],
            "SELECT m.role, a.plan_code, a.currency, a.trial_started_at, a.budget_cents, pl.trial_days, pl.monthly_price_cents, pl.monthly_deployment_quota, " +
            "(SELECT usage_cents + plan_fee_cents FROM billing_month WHERE organization_id = $1 AND month = $3), " +
            "GREATEST(0, (SELECT coalesce(sum(amount_cents), 0) FROM credit_redemption WHERE organization_id = $1 AND currency = a.currency) " +
            "- (SELECT coalesce(sum(credit_cents), 0) FROM billing_month WHERE organization_id = $1))::bigint, " +
            "CASE WHEN pl.monthly_deployment_quota IS NULL THEN 0 " +
            "ELSE (SELECT count(*) FROM environment_deployment WHERE organization_id = $1 AND created_at >= $4 AND kind = ANY($5)) END " +
            "FROM organization_member m JOIN billing_account a ON a.organization_id = m.organization_id JOIN billing_plan pl ON pl.code = a.plan_code " +
            "WHERE m.organization_id = $1 AND m.user_id = $2",
            "SELECT c.project_id, c.project_name, c.environment_id, c.environment_name, c.consumed_seconds, c.amount_cents, c.computed_at FROM environment_month_cost c " +
            "WHERE c.organization_id = $1 AND c.month = $3 AND EXISTS (SELECT 1 FROM organization_member m WHERE m.organization_id = $1 AND m.user_id = $2)");
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return 404;
        }

        if (!RolePolicy.Allows(Enum.Parse<OrganizationRole>(reader.GetString(0)), Permission.ManageBilling))
        {
            return 403;
        }

        var plan = reader.GetString(1);
        var currency = reader.GetString(2);
        var trialEnd = reader.GetFieldValue<DateTimeOffset>(3).AddDays(reader.GetInt32(5));
        var budget = reader.IsDBNull(4) ? 0 : reader.GetInt64(4);
        var cost = reader.IsDBNull(8) ? reader.GetInt64(6) : reader.GetInt64(8);
        int? quota = reader.IsDBNull(7) ? null : reader.GetInt32(7);
        var credit = reader.GetInt64(9);
        var consumed = (int)reader.GetInt64(10);
        await reader.NextResultAsync(cancellationToken);
        var lines = new List<(Guid Project, string ProjectName, Guid Environment, string EnvironmentName, long Seconds, long Cents, DateTime ComputedAt)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            lines.Add((reader.GetGuid(0), reader.GetString(1), reader.GetGuid(2), reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetDateTime(6)));
        }

        json.WriteStartObject();
        json.WriteString("plan", plan);
        json.WriteNumber("remaining_trial_day", trialEnd > now ? (int)Math.Ceiling((trialEnd - now).TotalDays) : 0);
        WriteMoney(json, "remaining_credit", credit, currency);
        WriteMoney(json, "cost", cost, currency);
        if (quota is { } max)
        {
            var remaining = Math.Max(0, max - consumed);
            json.WriteStartObject("paid_usage");
            json.WriteNumber("max_deployments_per_month", max);
            json.WriteNumber("consumed_deployments", consumed);
            json.WriteNumber("remaining_deployments", remaining);
            json.WriteBoolean("exceeded_deployments", remaining == 0);
            WriteTime(json, "next_renewal", monthStart.AddMonths(1).UtcDateTime);
            json.WriteStartArray("addons");
            json.WriteEndArray();
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("paid_usage");
        }

        json.WriteStartObject("community_usage");
        WriteMoney(json, "budget_threshold", budget, currency);
        json.WriteStartArray("projects");
        foreach (var project in lines.GroupBy(l => l.Project).Select(p => (Id: p.Key, Name: p.MaxBy(l => l.ComputedAt).ProjectName, Lines: p.ToList()))
                     .OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            json.WriteStartObject();
            json.WriteString("id", project.Id);
            json.WriteString("name", project.Name);
            json.WriteNumber("consumed_time_in_seconds", project.Lines.Sum(l => l.Seconds));
            WriteMoney(json, "cost", project.Lines.Sum(l => l.Cents), currency);
            json.WriteStartArray("environments");
            foreach (var environment in project.Lines.GroupBy(l => l.Environment).OrderBy(e => e.First().EnvironmentName, StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteString("id", environment.Key);
                json.WriteString("name", environment.First().EnvironmentName);
                json.WriteNumber("consumed_time_in_seconds", environment.Sum(l => l.Seconds));
                WriteMoney(json, "cost", environment.Sum(l => l.Cents), currency);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
        return 200;
    }

    private static void WriteMoney(Utf8JsonWriter json, string name, long cents, string currency)
    {
        json.WriteStartObject(name);
        json.WriteNumber("total_in_cents", cents);
        json.WriteNumber("total", cents / 100m);
        json.WriteString("currency_code", currency);
        json.WriteEndObject();
    }

    /// <summary>Several statements in one round trip, each given the same positional parameters.</summary>
    private static NpgsqlBatch Batch(NpgsqlConnection connection, object[] parameters, params string[] statements)
    {
        var batch = new NpgsqlBatch(connection);
        foreach (var sql in statements)
        {
            var command = new NpgsqlBatchCommand(sql);
            foreach (var parameter in parameters)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = parameter });
            }

            batch.BatchCommands.Add(command);
        }

        return batch;
    }

    private static void WritePerson(Utf8JsonWriter json, string name, Guid id, string person)
    {
        json.WriteStartObject(name);
        json.WriteString("id", id);
        json.WriteString("name", person);
        json.WriteNull("picture_profile_url");
        json.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter json, string name, DateTime utc) =>
        json.WriteString(name, utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _data.DisposeAsync();
    }
}
