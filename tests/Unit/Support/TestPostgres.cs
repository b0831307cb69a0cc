using System.Security.Cryptography;
using Platform.Portal.Infrastructure.Postgres;

namespace Platform.Tests.Support;

/// <summary>
/// One throwaway PostgreSQL per test process, started from the installed server binaries by the same launcher
/// the portal uses for its embedded database; every test class gets a database of its own on it.
/// </summary>
public static class TestPostgres
{
    private static readonly Lazy<Task<LocalPostgresServer>> Shared = new(() => StartServerAsync());

    /// <summary>Durability is not worth waiting for on a server that is deleted when the tests end.</summary>
    private static readonly string[] FastSettings = ["fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=1000"];

    public static async Task<string> CreateDatabaseAsync()
    {
        var server = await Shared.Value;
        var connectionString = server.ConnectionString("test_" + Guid.NewGuid().ToString("N"));
        await PostgresDatabases.EnsureExistsAsync(connectionString);
        return connectionString;
    }

    /// <summary>A server of its own, for tests that stop it on purpose. The caller disposes it.</summary>
    public static Task<LocalPostgresServer> StartServerAsync() => StartAsync(Path.Combine(Path.GetTempPath(), $"platform-test-pg-{Guid.NewGuid():N}"));

    public static async Task<LocalPostgresServer> StartAsync(string folder, int? port = null, string? password = null)
    {
        Directory.CreateDirectory(folder);
        var server = await LocalPostgresServer.StartAsync(new LocalPostgresOptions
        {
            DataDirectory = Path.Combine(folder, "data"),
            Port = port ?? Platform.Portal.Infrastructure.FreePorts.Next(),
            Password = password ?? Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
            ServerSettings = FastSettings,
        });
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            server.StopAsync().GetAwaiter().GetResult();
            DeleteQuietly(folder);
        };
        return server;
    }

    public static void DeleteQuietly(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
