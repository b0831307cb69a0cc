using System.Net;
using System.Net.Sockets;
using Npgsql;
using Platform.Portal.Infrastructure.Postgres;
using Platform.Tests.Support;

namespace Platform.Tests.Infrastructure;

/// <summary>The start-up failures ./run.sh promises to explain instead of printing a stack trace.</summary>
public sealed class LocalPostgresServerTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"platform-test-pg-{Guid.NewGuid():N}");
    private readonly string _password = Guid.NewGuid().ToString("N");
    private LocalPostgresServer? _server;

    public async Task InitializeAsync() => _server = await TestPostgres.StartAsync(_folder, password: _password);

    public async Task DisposeAsync()
    {
        await _server!.StopAsync();
        TestPostgres.DeleteQuietly(_folder);
    }

    [Fact]
    public async Task Start_OnAClusterThatIsAlreadyRunning_FailsSayingSo()
    {
        var error = await Assert.ThrowsAsync<LocalPostgresException>(() => TestPostgres.StartAsync(_folder));

        Assert.Contains("already running", error.Message, StringComparison.Ordinal);
        Assert.Contains("PORTAL_DATA_DIR", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_OnAClusterLeftRunningByAPortalThatDidNotStop_StopsItAndStartsAgain()
    {
        // The owner file names a process that has ended: what a portal killed with SIGKILL leaves behind.
        await File.WriteAllTextAsync(_server!.DataDirectory + ".owner", "999999 1");
        var left = _server;

        _server = await TestPostgres.StartAsync(_folder, left.Port, _password);

        await using var connection = new NpgsqlConnection(_server.ConnectionString("postgres"));
        await connection.OpenAsync();
        Assert.Equal(System.Data.ConnectionState.Open, connection.State);
    }

    [Fact]
    public async Task Start_WithAStalePidFileNamingAnotherPostgres_LeavesThatServerRunning()
    {
        var otherFolder = Path.Combine(Path.GetTempPath(), $"platform-test-pg-{Guid.NewGuid():N}");
        var other = await TestPostgres.StartAsync(otherFolder);
        await other.StopAsync();
        // A crash left its pid file and owner behind, and the pid now belongs to the fixture's running server.
        var runningPid = (await File.ReadAllLinesAsync(Path.Combine(_server!.DataDirectory, "postmaster.pid")))[0];
        await File.WriteAllTextAsync(Path.Combine(other.DataDirectory, "postmaster.pid"), runningPid + "\n");
        await File.WriteAllTextAsync(other.DataDirectory + ".owner", "gone 999999 1");

        other = await TestPostgres.StartAsync(otherFolder, other.Port);

        await using (var connection = new NpgsqlConnection(_server.ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            Assert.Equal(System.Data.ConnectionState.Open, connection.State);
        }

        await other.StopAsync();
        TestPostgres.DeleteQuietly(otherFolder);
    }

    [Fact]
    public async Task Start_WithAStalePidFile_RemovesItAndStarts()
    {
        await _server!.StopAsync();
        var pidFile = Path.Combine(_server.DataDirectory, "postmaster.pid");
        await File.WriteAllTextAsync(pidFile, "999999\n");

        _server = await TestPostgres.StartAsync(_folder, _server.Port, _password);

        await using var connection = new NpgsqlConnection(_server.ConnectionString("postgres"));
        await connection.OpenAsync();
        Assert.Equal(System.Data.ConnectionState.Open, connection.State);
    }

    [Fact]
    public async Task Start_WhenThePortIsTaken_FailsNamingThePort()
    {
        await _server!.StopAsync();
        using var squatter = new TcpListener(IPAddress.Loopback, _server.Port);
        squatter.Start();

        var error = await Assert.ThrowsAsync<LocalPostgresException>(() => TestPostgres.StartAsync(_folder, _server.Port, _password));

        Assert.Contains($"Port {_server.Port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("PORTAL_POSTGRES_PORT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ListensOnlyWithPasswordAuthentication()
    {
        var withoutPassword = new NpgsqlConnectionStringBuilder(_server!.ConnectionString("postgres")) { Password = "wrong" };

        await using var connection = new NpgsqlConnection(withoutPassword.ConnectionString);

        await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
    }
}
