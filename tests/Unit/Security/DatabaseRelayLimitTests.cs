using System.Net;
using System.Security.Cryptography;
using Npgsql;
using Platform.Portal.Infrastructure.Postgres;
using Platform.Tests.Support;
using Xunit.Abstractions;

namespace Platform.Tests.Security;

/// <summary>A portal on a PostgreSQL of its own, sized as the embedded one is (310 connections, 110 kept for the superuser).</summary>
public sealed class EmbeddedSizedPortal : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"platform-relay-pg-{Guid.NewGuid():N}");
    private LocalPostgresServer? _server;

    public PortalFactory Portal { get; private set; } = null!;

    public string ConnectionString { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _server = await LocalPostgresServer.StartAsync(new LocalPostgresOptions
        {
            DataDirectory = Path.Combine(_folder, "data"),
            Port = Platform.Portal.Infrastructure.FreePorts.Next(),
            Password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
            ServerSettings = ["fsync=off", $"max_connections={PlatformDatabase.ReservedForPortal + PlatformDatabase.ApplicationConnections}",
                $"superuser_reserved_connections={PlatformDatabase.ReservedForPortal}"],
        });
        ConnectionString = new NpgsqlConnectionStringBuilder(_server.ConnectionString("platform")) { MaxPoolSize = PlatformDatabase.PortalPoolSize }.ConnectionString;
        await PostgresDatabases.EnsureExistsAsync(ConnectionString);
        Portal = PortalFactory.On(ConnectionString);
        await Portal.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)Portal).DisposeAsync();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        TestPostgres.DeleteQuietly(_folder);
    }
}

/// <summary>
/// PostgreSQL gives a connection a slot before it knows who logs in, and keeps its superuser's reserved slots only from
/// roles that have logged in. Through the database relay one instance, with no credential at all, left 302 logins
/// hanging on the embedded-sized server: the portal's own superuser then got "sorry, too many clients already" and
/// /healthz answered 503, for as long as the instance kept reconnecting (each hangs up to authentication_timeout).
/// </summary>
public sealed class DatabaseRelayLimitTests(EmbeddedSizedPortal sized, ITestOutputHelper output) : IClassFixture<EmbeddedSizedPortal>
{
    private const string Holder = """
        import socket, struct, sys, time
        host, port, count, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])

        def startup(user, database):
            body = struct.pack("!I", 196608) + b"user\0" + user + b"\0database\0" + database + b"\0\0"
            return struct.pack("!I", len(body) + 4) + body

        held, refused, kept = 0, 0, []
        for _ in range(count):
            try:
                s = socket.create_connection((host, port), timeout=10)
                s.sendall(startup(b"postgres", b"postgres"))
                first = s.recv(1)
                if first == b"R":
                    held += 1
                    kept.append(s)
                else:
                    refused += 1
                    s.close()
            except OSError as error:
                refused += 1
        print(f"held {held} refused {refused}", flush=True)
        time.sleep(hold)
        """;

    [Fact]
    public async Task StalledLogins_ThroughTheRelay_LeaveThePortalItsSlots_AndTheApplicationItsDatabase()
    {
        var app = await ShellApp.DeployAsync(sized.Portal, extraFiles: new Dictionary<string, string> { ["hold.py"] = Holder }, withDatabase: true);
        var started = await ShellApp.ShAsync(app.Url, "nohup python3 hold.py \"$DATABASE_MAIN_HOST\" \"$DATABASE_MAIN_PORT\" 340 30 > /tmp/hold.log 2>&1 & echo started");
        output.WriteLine(started.ToString());
        var log = "";
        for (var i = 0; i < 60 && !log.Contains("held", StringComparison.Ordinal); i++)
        {
            await Task.Delay(500);
            log = (await ShellApp.ShAsync(app.Url, "cat /tmp/hold.log")).Out;
        }

        output.WriteLine($"holder: {log}");
        string superuser;
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(sized.ConnectionString) { Pooling = false, Timeout = 5 }.ConnectionString);
            await connection.OpenAsync();
            superuser = "connected";
        }
        catch (NpgsqlException exception)
        {
            superuser = exception.Message;
        }

        using var client = sized.Portal.CreateAnonymousClient();
        var health = await client.GetAsync("/healthz");
        output.WriteLine($"superuser: {superuser}; healthz: {health.StatusCode}");

        Assert.Equal("connected", superuser);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var held = int.Parse(log.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(held <= 50, $"One application held {held} connections through the relay");
        // The instance's own database still opens for it once the holder has let go.
        await ShellApp.ShAsync(app.Url, "pkill -f hold.py; sleep 1");
        var own = await ShellApp.ShAsync(app.Url, "psql -X \"$DATABASE_MAIN_URL\" -tAc 'select 42'");
        Assert.True(own.Out.Trim() == "42", $"The application's own database: {own}");
    }
}
