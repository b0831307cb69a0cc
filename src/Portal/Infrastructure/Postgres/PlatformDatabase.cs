using System.Globalization;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using Platform.Domain.Applications;
using Platform.Domain.Common;

namespace Platform.Portal.Infrastructure.Postgres;

/// <summary>
/// The portal's connection to its system of record: the configured server, or the embedded cluster under the
/// data folder, started before anything else needs the database and stopped when the portal stops.
/// </summary>
public sealed class PlatformDatabase(PortalSettings settings, ILogger<PlatformDatabase> logger) : IAsyncDisposable
{
    public const string EmbeddedDatabaseName = "platform";

    /// <summary>The most connections the portal opens to its embedded cluster: one pool (EF Core, Hangfire, the runtime's admin work).</summary>
    public const int PortalPoolSize = 100;

    /// <summary>
    /// Connections of the embedded cluster only superusers may take: the portal connects as the superuser, so its pool,
    /// the health check's own connection and an operator's psql always find a slot, however many applications'
    /// roles connect (each also has its own limit, Runtime:DatabaseConnectionLimit).
    /// </summary>
    public const int ReservedForPortal = PortalPoolSize + 10;

    /// <summary>What the applications' roles share on the embedded cluster, at most.</summary>
    public const int ApplicationConnections = 200;

    private LocalPostgresServer? _embedded;
    private string? _connectionString;

    public string ConnectionString =>
        _connectionString ?? throw new InvalidOperationException("The database is not open yet: call OpenAsync at start-up.");

    public bool IsEmbedded => _embedded is not null;

    public async Task OpenAsync(CancellationToken cancellationToken = default)
    {
        if (!string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            _connectionString = Tuned(settings.ConnectionString);
            return;
        }

        Directory.CreateDirectory(settings.DataDirectory);
        _embedded = await LocalPostgresServer.StartAsync(
            new LocalPostgresOptions
            {
                DataDirectory = Path.Combine(settings.DataDirectory, "postgres"),
                Port = settings.PostgresPort,
                Password = await ReadOrCreatePasswordAsync(cancellationToken),
                BinDirectory = settings.PostgresBinDirectory,
                ServerSettings =
                [
                    string.Create(CultureInfo.InvariantCulture, $"max_connections={ReservedForPortal + ApplicationConnections}"),
                    string.Create(CultureInfo.InvariantCulture, $"superuser_reserved_connections={ReservedForPortal}"),
                ],
            },
            message => logger.LogInformation("{Message}", message),
            cancellationToken);
        _connectionString = Tuned(new NpgsqlConnectionStringBuilder(_embedded.ConnectionString(EmbeddedDatabaseName)) { MaxPoolSize = PortalPoolSize }.ConnectionString);
    }

    /// <summary>
    /// How the portal uses its connections (docs/decisions.md, issue 17): a request opens and closes a pooled connection
    /// for each query, and the reset Npgsql sends on close (DISCARD ALL, run by PostgreSQL before the next query) cost
    /// about as much as a small query each time. The portal keeps no session state (its locks are transaction locks, it
    /// sets no session settings), so there is nothing to reset; and the statements it runs again and again are then
    /// prepared once per connection (parsed and planned once). A setting the configured connection string gives
    /// (e.g. Max Auto Prepare=0 behind a pooler that cannot keep prepared statements) is kept.
    /// </summary>
    public static string Tuned(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.Contains("NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        if (!given.Contains("MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 3;
        }

        return builder.ConnectionString;
    }

    public async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        if (IsEmbedded)
        {
            await PostgresDatabases.EnsureExistsAsync(ConnectionString, cancellationToken);
        }

        var factory = services.GetRequiredService<IDbContextFactory<PlatformDbContext>>();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        // On an empty database EF Core first reads the history table and logs the failure as an error;
        // creating the table first keeps a fresh install's log clean.
        await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);

        var (applications, deployments) = await EmbeddedGitSecrets.MoveAsync(db, services.GetRequiredService<ISecretProtector>(), cancellationToken);
        if (applications + deployments > 0)
        {
            logger.LogInformation(
                "Moved the repository passwords and tokens of {Applications} applications and {Deployments} deployments out of their URLs into encrypted storage",
                applications, deployments);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_embedded is not null)
        {
            logger.LogInformation("Stopping the embedded PostgreSQL");
            await _embedded.DisposeAsync();
            _embedded = null;
        }
    }

    private async Task<string> ReadOrCreatePasswordAsync(CancellationToken cancellationToken)
    {
        var file = Path.Combine(settings.DataDirectory, "postgres-password");
        if (File.Exists(file))
        {
            return (await File.ReadAllTextAsync(file, cancellationToken)).Trim();
        }

        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        await File.WriteAllTextAsync(file, password, cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return password;
    }
}
