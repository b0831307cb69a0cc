using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using Platform.Domain.Runtime;
using Platform.Portal.Infrastructure.Postgres;

namespace Platform.Portal.Runtime;

/// <summary>
/// Databases of the local runtime: a role and a database of the same name on a PostgreSQL server (the portal's
/// own by default, or Runtime:DatabaseAdminConnection). Each role may connect to its own database only, with at
/// most Runtime:DatabaseConnectionLimit connections: PUBLIC's CONNECT is revoked on every database of the server,
/// as the runtime starts and at every database deploy (databases made since are closed then too).
/// </summary>
public sealed partial class LocalDatabaseServer(
    LocalRuntimeSettings settings, PlatformDatabase platform, IConfiguration configuration, ILogger<LocalDatabaseServer> logger) : IHostedService
{
    public const int DefaultConnectionLimit = 20;

    public string AdminConnectionString => string.IsNullOrWhiteSpace(settings.DatabaseAdminConnection) ? platform.ConnectionString : settings.DatabaseAdminConnection;

    /// <summary>How many connections each application database role may hold at once (Runtime:DatabaseConnectionLimit).</summary>
    public int ConnectionLimit { get; } =
        int.TryParse(configuration["Runtime:DatabaseConnectionLimit"], NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit > 0
            ? limit
            : DefaultConnectionLimit;

    public async Task DeployAsync(DatabaseOrder order, CancellationToken cancellationToken)
    {
        var (name, password) = Checked(order);
        await RunAsync(async connection =>
        {
            await ExecuteAsync(connection, string.Create(CultureInfo.InvariantCulture, $"""
                DO $$ BEGIN
                  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') THEN
                    CREATE ROLE {name} LOGIN PASSWORD '{password}' CONNECTION LIMIT {ConnectionLimit};
                  ELSE
                    ALTER ROLE {name} LOGIN PASSWORD '{password}' CONNECTION LIMIT {ConnectionLimit};
                  END IF;
                  -- A sort or hash spilling to disk takes at most this much of the server's disk per session; only a superuser may
                  -- set it, so the role cannot raise it. (work_mem and statement_timeout the role could change back.)
                  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
                    ALTER ROLE {name} SET temp_file_limit = '1GB';
                  END IF;
                  -- An admin user that is not a superuser (CREATEDB, CREATEROLE) may make a database owned by a role it is a member of.
                  IF NOT pg_has_role(current_user, '{name}', 'MEMBER') THEN
                    GRANT {name} TO CURRENT_USER;
                  END IF;
                END $$
                """), cancellationToken);
            await using var exists = new NpgsqlCommand($"SELECT 1 FROM pg_database WHERE datname = '{name}'", connection);
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                await ExecuteAsync(connection, $"CREATE DATABASE {name} OWNER {name}", cancellationToken);
            }

            await ExecuteAsync(connection, $"REVOKE ALL ON DATABASE {name} FROM PUBLIC", cancellationToken);
            await ExecuteAsync(connection, $"ALTER DATABASE {name} ALLOW_CONNECTIONS true", cancellationToken);
            await CloseToPublicAsync(connection, cancellationToken);
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

    /// <summary>Revokes PUBLIC's CONNECT on every database of the server that still grants it; see <see cref="CloseToPublicAsync(NpgsqlConnection, CancellationToken)"/>.</summary>
    public Task CloseToPublicAsync(CancellationToken cancellationToken) => RunAsync(connection => CloseToPublicAsync(connection, cancellationToken), cancellationToken);

    /// <summary>Closes the server's databases as the runtime starts; a server that cannot be reached then is logged, not fatal.</summary>
    async Task IHostedService.StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CloseToPublicAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is RuntimeFailureException or InvalidOperationException or NpgsqlException)
        {
            LogNotClosed(exception.Message);
        }
    }

    Task IHostedService.StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// PostgreSQL grants CONNECT on every new database to PUBLIC, so an application's role could otherwise open the
    /// portal's database, postgres, template1 or a database made later. The owner of a database, its members and
    /// superusers keep connecting; the portal's own user gets CONNECT on the portal's database first when it is
    /// neither. Databases the admin user may not change (another owner's, on a server given by
    /// Runtime:DatabaseAdminConnection) are left as they are and named in the log.
    /// </summary>
    private async Task CloseToPublicAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var portal = new NpgsqlConnectionStringBuilder(platform.ConnectionString);
        var open = new List<(string Name, bool MayRevoke, string[] Keepers)>();
        await using (var query = new NpgsqlCommand("""
            SELECT quote_ident(d.datname),
                   me.rolsuper OR pg_has_role(me.oid, d.datdba, 'MEMBER'),
                   ARRAY(SELECT quote_ident(k.rolname) FROM pg_roles k
                         WHERE d.datname = @portal_database AND k.rolname = @portal_user
                           AND NOT k.rolsuper AND NOT pg_has_role(k.oid, d.datdba, 'MEMBER'))
            FROM pg_database d JOIN pg_roles me ON me.rolname = current_user
            WHERE has_database_privilege('public', d.oid, 'CONNECT')
            ORDER BY d.datname
            """, connection))
        {
            query.Parameters.AddWithValue("portal_database", portal.Database ?? "");
            query.Parameters.AddWithValue("portal_user", portal.Username ?? "");
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                open.Add((reader.GetString(0), reader.GetBoolean(1), reader.GetFieldValue<string[]>(2)));
            }
        }

        foreach (var (database, _, keepers) in open.Where(d => d.MayRevoke))
        {
            foreach (var keeper in keepers)
            {
                await ExecuteConcurrentlyAsync(connection, $"GRANT CONNECT ON DATABASE {database} TO {keeper}", cancellationToken);
            }

            await ExecuteConcurrentlyAsync(connection, $"REVOKE CONNECT ON DATABASE {database} FROM PUBLIC", cancellationToken);
            LogClosed(database);
        }

        var left = open.Where(d => !d.MayRevoke).Select(d => d.Name).ToList();
        if (left.Count > 0)
        {
            LogLeftOpen(string.Join(", ", left), new NpgsqlConnectionStringBuilder(AdminConnectionString).Username ?? "(default)");
        }
    }

    /// <summary>
    /// Another portal on the same server (the tests run several) may change the same database's privileges at the
    /// same moment: PostgreSQL then refuses one with "tuple concurrently updated", and the statement is tried again, on a
    /// new connection when that one is broken (Npgsql breaks it on this error, and the retry failed with "Connection is not
    /// open": the portal did not start, or a database deploy failed).
    /// A database dropped meanwhile needs nothing more.
    /// </summary>
    private static async Task ExecuteConcurrentlyAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ExecuteAsync(connection, sql, cancellationToken);
                return;
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.InvalidCatalogName)
            {
                return;
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.InternalError && attempt < 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt), cancellationToken);
                // Npgsql leaves the connection broken after this error: the next try needs a new one.
                if (connection.FullState != System.Data.ConnectionState.Open)
                {
                    await connection.CloseAsync();
                    await connection.OpenAsync(cancellationToken);
                }
            }
            catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException && connection.State != System.Data.ConnectionState.Open && attempt < 5)
            {
                // The server ended the session (a test server's database dropped with FORCE, a restart): a new one goes on.
                await connection.CloseAsync();
                await connection.OpenAsync(cancellationToken);
            }
        }
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Database {Database} no longer lets every role connect (CONNECT revoked from PUBLIC): only its owner, superusers and roles granted CONNECT may")]
    private partial void LogClosed(string database);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Applications' database roles can still connect to {Databases} on the runtime's database server: its admin user {User} does not own them. Revoke CONNECT from PUBLIC there as their owner or a superuser")]
    private partial void LogLeftOpen(string databases, string user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The runtime's database server could not be closed to applications' roles as the portal started: {Reason}. It is tried again at every database deploy")]
    private partial void LogNotClosed(string reason);
}
