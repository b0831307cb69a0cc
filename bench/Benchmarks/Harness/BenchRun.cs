using Npgsql;
using Platform.Benchmarks.Seeding;
using Platform.Portal.Infrastructure.Postgres;

namespace Platform.Benchmarks.Harness;

/// <summary>
/// What every benchmark shares: the options, a fresh PostgreSQL (durable settings, as the embedded one runs), the
/// published portal on it, an owner with a token, and the seeded data (50 organizations, 1,000 environments, …).
/// </summary>
internal sealed class BenchRun : IAsyncDisposable
{
    private readonly LocalPostgresServer _postgres;
    private readonly string _folder;

    private BenchRun(BenchOptions options, LocalPostgresServer postgres, string folder, string connectionString, PortalProcess portal, ApiSession owner)
    {
        Options = options;
        _postgres = postgres;
        _folder = folder;
        ConnectionString = connectionString;
        Portal = portal;
        Owner = owner;
    }

    public BenchOptions Options { get; }

    /// <summary>The portal's database; benchmarks write their own rows straight into it (binary COPY) where the API would be too slow a seeder.</summary>
    public string ConnectionString { get; }

    public PortalProcess Portal { get; }

    /// <summary>A user of its own, owning nothing yet; benchmarks that need a tree make one with it.</summary>
    public ApiSession Owner { get; }

    /// <summary>Set once the seeding has run (benchmarks whose <see cref="IBenchmark"/> needs it run after).</summary>
    public SeedData? Seed { get; set; }

    /// <summary>Folder for a benchmark's own files (git repositories, second portals' data); deleted at the end.</summary>
    public string WorkFolder(string name)
    {
        var path = Path.Combine(_folder, name);
        Directory.CreateDirectory(path);
        return path;
    }

    public string PublishDirectory => Path.Combine(Options.Root, "bench", ".build", "portal");

    public LocalPostgresServer Postgres => _postgres;

    public static async Task<BenchRun> StartAsync(BenchOptions options)
    {
        // Under /tmp, which every user may enter: as root the portal runs applications as users of their own.
        var folder = Path.Combine(Path.GetTempPath(), $"platform-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        }
        var postgres = await LocalPostgresServer.StartAsync(new LocalPostgresOptions
        {
            DataDirectory = Path.Combine(folder, "postgres"),
            Port = Platform.Portal.Infrastructure.FreePorts.Next(),
            Password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)),
            ServerSettings = ["max_connections=300", .. Api.Statements.ServerSettings],
        });
        var connectionString = postgres.ConnectionString("platform");
        await PostgresDatabases.EnsureExistsAsync(connectionString);
        var portal = await PortalProcess.StartAsync(Path.Combine(options.Root, "bench", ".build", "portal"), connectionString, Path.Combine(folder, "portal"));
        var owner = await ApiSession.CreateAsync(portal);
        return new BenchRun(options, postgres, folder, connectionString, portal, owner);
    }

    public async Task<NpgsqlConnection> OpenConnectionAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        Owner.Client.Dispose();
        await Portal.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await _postgres.StopAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
