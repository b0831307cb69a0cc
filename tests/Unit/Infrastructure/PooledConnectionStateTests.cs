using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Portal.Infrastructure.Postgres;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Infrastructure;

/// <summary>
/// The portal's connections are not reset when they go back to the pool (No Reset On Close: no DISCARD ALL), which is
/// safe only while nothing that uses the pool — the portal's queries, Hangfire (its schema install sets search_path),
/// the runtime's database admin work (roles, databases, grants) — leaves session state on a connection. After a fresh
/// start, requests, jobs and a managed database's deploy, every connection the pool hands out is as a new one.
/// </summary>
public sealed class PooledConnectionStateTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    /// <summary>What a session may carry from one user to the next: settings set in it, a role, listens, locks, temporary tables, held cursors.</summary>
    private const string SessionState = """
        SELECT coalesce((SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings WHERE source = 'session'), '')
            || ' | role ' || current_user || '/' || session_user
            || ' | search_path ' || current_setting('search_path')
            || ' | listening ' || (SELECT count(*) FROM pg_listening_channels())
            || ' | advisory locks ' || (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid())
            || ' | temporary tables ' || (SELECT count(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema())
            || ' | held cursors ' || (SELECT count(*) FROM pg_cursors WHERE is_holdable)
        """;

    [Fact]
    public async Task EveryPooledConnection_AfterRequestsJobsAndADatabaseDeploy_HasNoSessionStateOfItsOwn()
    {
        var team = await RuntimeTeam.OfAsync(portal);
        var environment = await team.CreateEnvironmentAsync();
        var database = await team.Owner.PostForIdAsync($"/api/environment/{environment}/database", new { name = $"main-{CatalogueSteps.Unique()}" });
        var deployment = await team.Owner.EndedAsync(await team.Owner.PostForDeploymentAsync($"/api/database/{database}/deploy"));
        Assert.True(deployment.State() == "OK", $"The database deployment did not succeed: {deployment.ToJsonString()}");
        await team.Owner.GetObjectAsync($"/api/environment/{environment}");

        await AssertNoSessionStateAsync(portal);
    }

    [Fact]
    public async Task EveryPooledConnection_AfterThePortalStartsAgainOnItsDatabase_HasNoSessionStateOfItsOwn()
    {
        // A start on a database already set up: Hangfire's installer (whose scripts set search_path) meets its schema
        // installed, the migrations have nothing to do, the runtime closes the server's databases again.
        var again = PortalFactory.On(portal.ConnectionString);
        try
        {
            await again.InitializeAsync();
            var (client, _) = await again.CreateUserClientAsync();
            await client.CreateOrganizationAsync($"again-{Guid.NewGuid():N}");

            await AssertNoSessionStateAsync(again);
        }
        finally
        {
            await ((IAsyncLifetime)again).DisposeAsync();
        }
    }

    private static async Task AssertNoSessionStateAsync(PortalFactory portal)
    {
        var pooled = portal.Services.GetRequiredService<PlatformDatabase>().ConnectionString;
        Assert.True(new NpgsqlConnectionStringBuilder(pooled).NoResetOnClose, "The portal's connections are expected not to be reset on close.");
        var fresh = await StateAsync(new NpgsqlConnectionStringBuilder(pooled) { Pooling = false }.ConnectionString);

        // Every idle connection of the pool at once (the pool hands out idle ones first), and some.
        var connections = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < 30; i++)
            {
                var connection = new NpgsqlConnection(pooled);
                await connection.OpenAsync();
                connections.Add(connection);
            }

            foreach (var connection in connections)
            {
                await using var command = new NpgsqlCommand(SessionState, connection);
                Assert.Equal(fresh, (string?)await command.ExecuteScalarAsync());
            }
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private static async Task<string?> StateAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(SessionState, connection);
        return (string?)await command.ExecuteScalarAsync();
    }
}
