using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Platform.Domain.Common;
using Platform.Domain.Runtime;
using Platform.Portal.Infrastructure;
using Platform.Portal.Infrastructure.Postgres;
using Platform.Portal.Runtime;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Databases;

/// <summary>A portal whose applications' database roles may hold two connections each.</summary>
public sealed class LimitedPortal : IAsyncLifetime
{
    public const int Limit = 2;

    public PortalFactory Portal { get; } = PortalFactory.With(new Dictionary<string, string?> { ["Runtime:DatabaseConnectionLimit"] = $"{Limit}" });

    public Task InitializeAsync() => Portal.InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)Portal).DisposeAsync();
}

/// <summary>
/// A deployed database's role, on the runtime's real PostgreSQL server: it connects to its own database only, never to
/// the portal's, postgres, template1 or another application's, and holds at most Runtime:DatabaseConnectionLimit connections.
/// </summary>
public sealed class DatabaseRoleTests(LimitedPortal limited) : IClassFixture<LimitedPortal>
{
    private const string TooManyConnections = "53300";
    private const string NoConnectPrivilege = "42501";

    private PortalFactory Portal => limited.Portal;

    [Fact]
    public async Task Role_ConnectsToItsOwnDatabase()
    {
        var role = await DeployedDatabaseAsync();

        await using var connection = await role.OpenAsync(role.Order.ServerName);
        await using var command = new NpgsqlCommand("SELECT current_user || '@' || current_database()", connection);

        Assert.Equal($"{role.Order.ServerName}@{role.Order.ServerName}", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Role_CannotConnectToThePortalsDatabase_NorPostgres_NorTemplate1()
    {
        var role = await DeployedDatabaseAsync();
        var portalDatabase = new NpgsqlConnectionStringBuilder(Portal.ConnectionString).Database!;

        foreach (var database in new[] { portalDatabase, "postgres", "template1" })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => role.OpenAsync(database));
            Assert.True(refused.SqlState == NoConnectPrivilege, $"Connecting to {database} failed with {refused.SqlState}: {refused.MessageText}");
            Assert.Contains("permission denied for database", refused.MessageText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Role_CannotConnectToAnotherApplicationsDatabase()
    {
        var first = await DeployedDatabaseAsync();
        var second = await DeployedDatabaseAsync();

        var refused = await Assert.ThrowsAsync<PostgresException>(() => first.OpenAsync(second.Order.ServerName));

        Assert.Equal(NoConnectPrivilege, refused.SqlState);
    }

    [Fact]
    public async Task DatabaseMadeAfterThePortalStarted_IsClosedToRolesAtTheNextDeploy()
    {
        var later = $"later_{Guid.NewGuid():N}";
        await Portal.ExecuteSqlAsync($"CREATE DATABASE {later}");

        var role = await DeployedDatabaseAsync();

        var refused = await Assert.ThrowsAsync<PostgresException>(() => role.OpenAsync(later));
        Assert.Equal(NoConnectPrivilege, refused.SqlState);
    }

    [Fact]
    public async Task PortalsOwnDatabase_IsClosedToPublicAsTheRuntimeStarts_AndThePortalStillWorks()
    {
        var fresh = new PortalFactory();
        try
        {
            await fresh.InitializeAsync();

            await using var connection = new NpgsqlConnection(fresh.ConnectionString);
            await connection.OpenAsync();
            var publicMayConnect = await PublicMayConnectAsync(connection, connection.Database);
            var (owner, _) = await fresh.CreateUserClientAsync();

            Assert.False(publicMayConnect);
            Assert.NotEqual(Guid.Empty, await owner.CreateOrganizationAsync("still works"));
        }
        finally
        {
            await ((IAsyncLifetime)fresh).DisposeAsync();
        }
    }

    [Fact]
    public async Task Role_ConnectionOverItsLimit_IsRefusedWithTooManyConnectionsForRole()
    {
        var role = await DeployedDatabaseAsync();
        var held = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < LimitedPortal.Limit; i++)
            {
                held.Add(await role.OpenAsync(role.Order.ServerName));
            }

            var refused = await Assert.ThrowsAsync<PostgresException>(() => role.OpenAsync(role.Order.ServerName));

            Assert.Equal(TooManyConnections, refused.SqlState);
            Assert.Contains("too many connections for role", refused.MessageText, StringComparison.Ordinal);
        }
        finally
        {
            await CloseAllAsync(held);
        }
    }

    [Fact]
    public async Task ChangedLimitSetting_TakesEffectAtTheNextDeploy()
    {
        var role = await DeployedDatabaseAsync();
        var raised = LocalDatabaseServerWith(new Dictionary<string, string?> { ["Runtime:DatabaseConnectionLimit"] = "3" }, new ListLogger());

        await raised.DeployAsync(role.Order, CancellationToken.None);

        var held = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                held.Add(await role.OpenAsync(role.Order.ServerName));
            }

            var refused = await Assert.ThrowsAsync<PostgresException>(() => role.OpenAsync(role.Order.ServerName));
            Assert.Equal(TooManyConnections, refused.SqlState);
            Assert.Equal(3, raised.ConnectionLimit);
        }
        finally
        {
            await CloseAllAsync(held);
        }
    }

    [Fact]
    public async Task AdminUserThatOwnsFewDatabases_RevokesWhatItMay_AndLogsTheRest()
    {
        // A server of its own: the portals of other test classes close every database of the shared one.
        await using var server = await TestPostgres.StartServerAsync();
        var admin = $"admin_{Guid.NewGuid():N}";
        var owned = $"owned_{Guid.NewGuid():N}";
        await using (var superuser = new NpgsqlConnection(server.ConnectionString("postgres")))
        {
            await superuser.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE ROLE {admin} LOGIN CREATEDB CREATEROLE PASSWORD 'admin-password'", superuser);
            await create.ExecuteNonQueryAsync();
            await using var database = new NpgsqlCommand($"CREATE DATABASE {owned} OWNER {admin}", superuser);
            await database.ExecuteNonQueryAsync();
        }

        var adminConnection = new NpgsqlConnectionStringBuilder(server.ConnectionString(owned)) { Username = admin, Password = "admin-password" }.ConnectionString;
        var log = new ListLogger();
        var databases = LocalDatabaseServerWith(new Dictionary<string, string?> { ["Runtime:DatabaseAdminConnection"] = adminConnection }, log);

        await databases.CloseToPublicAsync(CancellationToken.None);
        var id = Guid.NewGuid();
        var order = new DatabaseOrder(id, $"db_{id:N}", "0123456789abcdef0123");
        await databases.DeployAsync(order, CancellationToken.None);

        await using var check = new NpgsqlConnection(server.ConnectionString("postgres"));
        await check.OpenAsync();
        Assert.False(await PublicMayConnectAsync(check, owned));
        Assert.False(await PublicMayConnectAsync(check, order.ServerName));
        Assert.True(await PublicMayConnectAsync(check, "postgres"));
        var warning = Assert.Single(log.Lines.Distinct(), l => l.Level == LogLevel.Warning);
        Assert.Contains("postgres", warning.Message, StringComparison.Ordinal);
        Assert.Contains("template1", warning.Message, StringComparison.Ordinal);
        Assert.Contains(admin, warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(owned, warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmbeddedCluster_KeepsThePortalsConnectionsForSuperusers_WhateverApplicationsTake()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"platform-test-embedded-{Guid.NewGuid():N}");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Portal:DataDirectory"] = folder,
            ["Postgres:Port"] = $"{Platform.Portal.Infrastructure.FreePorts.Next()}",
        }).Build();
        var embedded = new PlatformDatabase(new PortalSettings(configuration), NullLogger<PlatformDatabase>.Instance);
        try
        {
            await embedded.OpenAsync();
            var portal = new NpgsqlConnectionStringBuilder(embedded.ConnectionString);
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(embedded.ConnectionString) { Database = "postgres" }.ConnectionString);
            await connection.OpenAsync();

            var max = await SettingAsync(connection, "max_connections");
            var reserved = await SettingAsync(connection, "superuser_reserved_connections");
            await using var superuser = new NpgsqlCommand("SELECT rolsuper FROM pg_roles WHERE rolname = current_user", connection);

            Assert.True((bool)(await superuser.ExecuteScalarAsync())!, "the portal connects to its embedded cluster as a superuser");
            Assert.Equal(PlatformDatabase.PortalPoolSize, portal.MaxPoolSize);
            Assert.True(reserved > portal.MaxPoolSize, $"{reserved} reserved connections hold a pool of {portal.MaxPoolSize} and the health check");
            Assert.Equal(PlatformDatabase.ApplicationConnections, max - reserved);
        }
        finally
        {
            await embedded.DisposeAsync();
            TestPostgres.DeleteQuietly(folder);
        }
    }

    private static async Task<int> SettingAsync(NpgsqlConnection connection, string name)
    {
        await using var command = new NpgsqlCommand($"SELECT setting::int FROM pg_settings WHERE name = '{name}'", connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }

    private LocalDatabaseServer LocalDatabaseServerWith(IReadOnlyDictionary<string, string?> settings, ListLogger log)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var runtimeSettings = new LocalRuntimeSettings(configuration, Portal.Services.GetRequiredService<PortalSettings>());
        return ActivatorUtilities.CreateInstance<LocalDatabaseServer>(Portal.Services, runtimeSettings, (IConfiguration)configuration, (ILogger<LocalDatabaseServer>)log);
    }

    private static async Task<bool> PublicMayConnectAsync(NpgsqlConnection connection, string database)
    {
        await using var command = new NpgsqlCommand("SELECT has_database_privilege('public', @database, 'CONNECT')", connection);
        command.Parameters.AddWithValue("database", database);
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    private static async Task CloseAllAsync(List<NpgsqlConnection> connections)
    {
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }
    }

    /// <summary>A database deployed through the API, and its role's credentials as the portal stores them.</summary>
    private async Task<DeployedRole> DeployedDatabaseAsync()
    {
        var team = await RuntimeTeam.OfAsync(Portal);
        var environment = await team.CreateEnvironmentAsync();
        var database = await team.Owner.PostForIdAsync($"/api/environment/{environment}/database", new { name = $"main-{CatalogueSteps.Unique()}" });
        var deployment = await team.Owner.EndedAsync(await team.Owner.PostForDeploymentAsync($"/api/database/{database}/deploy"));
        Assert.True(deployment.State() == "OK", $"The database deployment did not succeed: {deployment.ToJsonString()}");

        await using var connection = new NpgsqlConnection(Portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT protected_password FROM _database WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", database);
        var password = Portal.Services.GetRequiredService<ISecretProtector>().Unprotect((string)(await command.ExecuteScalarAsync())!);
        return new DeployedRole(Portal.ConnectionString, new DatabaseOrder(database, $"db_{database:N}", password));
    }

    private sealed record DeployedRole(string PortalConnectionString, DatabaseOrder Order)
    {
        public async Task<NpgsqlConnection> OpenAsync(string database)
        {
            var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(PortalConnectionString)
            {
                Username = Order.ServerName,
                Password = Order.Password,
                Database = database,
                Pooling = false,
                Timeout = 10,
            }.ConnectionString);
            try
            {
                await connection.OpenAsync();
                return connection;
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }
    }

    private sealed record LogLine(LogLevel Level, string Message);

    private sealed class ListLogger : ILogger<LocalDatabaseServer>
    {
        private readonly List<LogLine> _lines = [];

        public IReadOnlyList<LogLine> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines)
            {
                _lines.Add(new LogLine(logLevel, formatter(state, exception)));
            }
        }
    }
}
