using System.Text.RegularExpressions;
using Npgsql;
using Platform.Domain.Runtime;
using Platform.Portal.Infrastructure.Postgres;

namespace Platform.Portal.Runtime;

/// <summary>
/// Databases of the local runtime: a role and a database of the same name on a PostgreSQL server (the portal's
/// own by default, or Runtime:DatabaseAdminConnection). Only the role may connect to its database.
/// </summary>
public sealed partial class LocalDatabaseServer(LocalRuntimeSettings settings, PlatformDatabase platform)
{
    public string AdminConnectionString => string.IsNullOrWhiteSpace(settings.DatabaseAdminConnection) ? platform.ConnectionString : settings.DatabaseAdminConnection;

    public async Task DeployAsync(DatabaseOrder order, CancellationToken cancellationToken)
    {
        var (name, password) = Checked(order);
        await RunAsync(async connection =>
        {
            await ExecuteAsync(connection, $"""
                DO $$ BEGIN
                  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') THEN
                    CREATE ROLE {name} LOGIN PASSWORD '{password}';
                  ELSE
                    ALTER ROLE {name} LOGIN PASSWORD '{password}';
                  END IF;
                END $$
                """, cancellationToken);
            await using var exists = new NpgsqlCommand($"SELECT 1 FROM pg_database WHERE datname = '{name}'", connection);
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                await ExecuteAsync(connection, $"CREATE DATABASE {name} OWNER {name}", cancellationToken);
            }

            await ExecuteAsync(connection, $"REVOKE ALL ON DATABASE {name} FROM PUBLIC", cancellationToken);
            await ExecuteAsync(connection, $"ALTER DATABASE {name} ALLOW_CONNECTIONS true", cancellationToken);
        }, cancellationToken);
    }

    public async Task StopAsync(DatabaseOrder order, CancellationToken cancellationToken)
    {
        var (name, _) = Checked(order);
        await RunAsync(async connection =>
        {
            await using var exists = new NpgsqlCommand($"SELECT 1 FROM pg_database WHERE datname = '{name}'", connection);
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                return;
            }

            await ExecuteAsync(connection, $"ALTER DATABASE {name} ALLOW_CONNECTIONS false", cancellationToken);
            await ExecuteAsync(connection, $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()", cancellationToken);
        }, cancellationToken);
    }

    public async Task DeleteAsync(DatabaseOrder order, CancellationToken cancellationToken)
    {
        var (name, _) = Checked(order);
        await RunAsync(async connection =>
        {
            await ExecuteAsync(connection, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)", cancellationToken);
            await ExecuteAsync(connection, $"DROP ROLE IF EXISTS {name}", cancellationToken);
        }, cancellationToken);
    }

    /// <summary>DDL takes no parameters: the names and passwords the platform makes are checked to be plain before they are written in.</summary>
    private static (string Name, string Password) Checked(DatabaseOrder order) =>
        NamePattern().IsMatch(order.ServerName) && PasswordPattern().IsMatch(order.Password)
            ? (order.ServerName, order.Password)
            : throw new RuntimeFailureException("The database's name or password is not in the form the platform makes.");

    private async Task RunAsync(Func<NpgsqlConnection, Task> work, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(AdminConnectionString);
            await connection.OpenAsync(cancellationToken);
            await work(connection);
        }
        catch (NpgsqlException exception) when (exception is not PostgresException { SqlState: "42501" })
        {
            throw new RuntimeFailureException($"The database server refused: {exception.Message}", exception);
        }
        catch (PostgresException exception)
        {
            throw new RuntimeFailureException($"The runtime's database user may not create databases or roles: {exception.MessageText}", exception);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [GeneratedRegex("^db_[0-9a-f]{32}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[0-9a-f]{16,128}$")]
    private static partial Regex PasswordPattern();
}
