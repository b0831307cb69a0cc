using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Platform.Tests.Support;

/// <summary>
/// The real portal on a loopback port (Kestrel, not the in-memory test server), on a fresh PostgreSQL database
/// and a data folder of its own.
/// </summary>
public sealed class PortalFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly Func<Task<string>> _database;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;
    private readonly string _dataDirectory;
    private readonly bool _ownsDataDirectory;
    private string? _connectionString;

    public PortalFactory()
        : this(TestPostgres.CreateDatabaseAsync)
    {
    }

    private PortalFactory(
        Func<Task<string>> database, IReadOnlyDictionary<string, string?>? settings = null, string? dataDirectory = null, Action<IServiceCollection>? services = null)
    {
        _database = database;
        _settings = settings ?? new Dictionary<string, string?>();
        _services = services;
        _ownsDataDirectory = dataDirectory is null;
        _dataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), $"platform-test-data-{Guid.NewGuid():N}");
    }

    /// <summary>A portal on a database the test controls, e.g. one it stops on purpose.</summary>
    public static PortalFactory On(string connectionString) => new(() => Task.FromResult(connectionString));

    /// <summary>
    /// A portal on a database and a data folder the test controls, e.g. a second portal that takes over from a first
    /// one (same key ring, same builds), with extra configuration and services if given. The folder is left in place
    /// when the portal is disposed; the test deletes it.
    /// </summary>
    public static PortalFactory On(
        string connectionString, string dataDirectory, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null) =>
        new(() => Task.FromResult(connectionString), settings, dataDirectory, services);

    /// <summary>The rate limits every test portal raises, so that tests signing up and in from 127.0.0.1 never meet them.</summary>
    public static readonly IReadOnlyList<string> RateLimits = ["SignIn", "SignUp", "Invitation", "Api"];

    /// <summary>A portal with extra configuration, e.g. the SMTP server a test listens with, or a rate limit of its own.</summary>
    public static PortalFactory With(IReadOnlyDictionary<string, string?> settings) => new(TestPostgres.CreateDatabaseAsync, settings);

    /// <summary>A portal with extra configuration and services put in place of the portal's own, e.g. a runtime that records its orders.</summary>
    public static PortalFactory With(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection> services) =>
        new(TestPostgres.CreateDatabaseAsync, settings, services: services);

    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("Not initialised.");

    public Uri ServerAddress { get; private set; } = null!;

    /// <summary>The portal's data folder: key ring, and mail files when no SMTP server is set.</summary>
    public string DataDirectory => _dataDirectory;

    public async Task InitializeAsync()
    {
        _connectionString = await _database();
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        ServerAddress = new Uri(addresses.First());
    }

    /// <summary>
    /// A client over real HTTP with no credentials, which neither follows redirects nor keeps cookies unless
    /// asked. (With Kestrel, WebApplicationFactory's own client options do not reach the socket handler.)
    /// </summary>
    public HttpClient CreateAnonymousClient(bool handleCookies = false) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = handleCookies })
        {
            BaseAddress = ServerAddress,
        };

    /// <summary>
    /// Like <see cref="CreateAnonymousClient"/>, but connecting from another loopback address (127.0.0.2, …), which
    /// the portal sees as another client address: for tests of per-address limits.
    /// </summary>
    public HttpClient CreateClientFrom(IPAddress local, bool handleCookies = false) =>
        new(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = handleCookies,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        {
            BaseAddress = ServerAddress,
        };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Platform", ConnectionString);
        builder.UseSetting("Portal:DataDirectory", _dataDirectory);
        foreach (var limit in RateLimits)
        {
            builder.UseSetting($"RateLimits:{limit}:PermitLimit", "1000000");
        }

        // Several portals run side by side in one test process: each one's database relay takes a port of its own.
        builder.UseSetting("Runtime:DatabaseRelayPort", "0");

        // The repository check runs when a test calls it (RepositoryChecks), never on its own schedule in the middle of one.
        builder.UseSetting("Applications:RepositoryCheckMinutes", "0");

        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        // Npgsql keeps a pool per connection string for the whole process: this portal's database is done with.
        if (_connectionString is not null)
        {
            using var pooled = new Npgsql.NpgsqlConnection(_connectionString);
            Npgsql.NpgsqlConnection.ClearPool(pooled);
        }

        if (_ownsDataDirectory)
        {
            TestPostgres.DeleteQuietly(_dataDirectory);
        }
    }
}
