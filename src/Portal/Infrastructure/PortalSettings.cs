using System.Globalization;

namespace Platform.Portal.Infrastructure;

/// <summary>
/// The few settings read at start-up. Each has a configuration key and, for ./run.sh and containers, a plain
/// environment variable: PORTAL_DATA_DIR, PORTAL_POSTGRES_PORT.
/// </summary>
public sealed class PortalSettings
{
    public const int DefaultPostgresPort = 55432;

    public PortalSettings(IConfiguration configuration)
    {
        var dataDirectory = configuration["Portal:DataDirectory"] ?? configuration["PORTAL_DATA_DIR"];
        DataDirectory = Path.GetFullPath(string.IsNullOrWhiteSpace(dataDirectory) ? ".data" : dataDirectory);
        ConnectionString = configuration.GetConnectionString("Platform");
        var port = configuration["Postgres:Port"] ?? configuration["PORTAL_POSTGRES_PORT"];
        PostgresPort = string.IsNullOrWhiteSpace(port) ? DefaultPostgresPort : int.Parse(port, CultureInfo.InvariantCulture);
        PostgresBinDirectory = configuration["Postgres:BinDirectory"];
    }

    /// <summary>Where the portal keeps what is not in the database: the embedded cluster, keys, mail files.</summary>
    public string DataDirectory { get; }

    /// <summary>An external PostgreSQL; when empty the portal starts its embedded cluster.</summary>
    public string? ConnectionString { get; }

    public int PostgresPort { get; }

    public string? PostgresBinDirectory { get; }
}

/// <summary>A setting the portal cannot work with: start-up refuses with its message, in one line.</summary>
public sealed class InvalidSettingException(string message) : Exception(message);
