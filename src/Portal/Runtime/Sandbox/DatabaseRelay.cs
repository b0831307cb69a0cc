using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Platform.Portal.Runtime.Sandbox;

/// <summary>
/// Carries sandboxes' connections to the runtime's database server: it listens on the sandbox network's service
/// address (the one address of the host that sandboxes reach) and relays each connection, byte for byte, to the
/// server the portal knows. Which database a connection may open is PostgreSQL's to decide: each application's role
/// has CONNECT on its own database only, with a connection limit.
/// <para>
/// PostgreSQL gives a connection one of its max_connections slots before it knows who logs in, and keeps the slots
/// reserved for the superuser only from roles that have logged in: logins left hanging (no credential needed) would
/// take every slot, the portal's too. So the relay carries connections only from the sandboxes the runtime made
/// (<see cref="Admit"/>), at most so many per application and so many in all, fewer than the server's slots less
/// those the portal keeps; one over a limit is answered with PostgreSQL's "too many connections" and closed.
/// </para>
/// </summary>
public sealed partial class DatabaseRelay(ILogger<DatabaseRelay> logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<IPAddress, Guid> _sandboxes = new();
    private readonly Dictionary<Guid, int> _open = [];
    private int _total;
    private int _maxConnections = int.MaxValue;
    private int _maxPerApplication = int.MaxValue;
    private int _disposed;
    private TcpListener? _listener;
    private Task? _accepting;

    /// <summary>Where sandboxes connect; null until it listens.</summary>
    public IPEndPoint? Endpoint { get; private set; }

    /// <summary>Connections relayed now, in all.</summary>
    public int Open => Volatile.Read(ref _total);

    /// <summary>Lets a sandbox's address connect, counted as this application's; <see cref="Forget"/> when the sandbox goes.</summary>
    public void Admit(IPAddress sandbox, Guid applicationId) => _sandboxes[sandbox] = applicationId;

    public void Forget(IPAddress sandbox) => _sandboxes.TryRemove(sandbox, out _);

    /// <summary>
    /// Listens on the address, on the port when it is free (else on any free one, said in the log), relaying to the
    /// target at most <paramref name="maxConnections"/> connections at once, <paramref name="maxPerApplication"/> of one application.
    /// </summary>
    public void Start(IPAddress address, int port, string targetHost, int targetPort, int maxConnections, int maxPerApplication)
    {
        (_maxConnections, _maxPerApplication) = (maxConnections, maxPerApplication);
        _listener = Listen(address, port) ?? Listen(address, 0)!;
        Endpoint = (IPEndPoint)_listener.LocalEndpoint;
        if (port != 0 && Endpoint.Port != port)
        {
            LogPortTaken(port, Endpoint.Port);
        }

        _accepting = AcceptAsync(targetHost, targetPort, _stopping.Token);
    }

    private static TcpListener? Listen(IPAddress address, int port)
    {
        var listener = new TcpListener(address, port);
        try
        {
            listener.Start(backlog: 256);
            return listener;
        }
        catch (SocketException) when (port != 0)
        {
            listener.Dispose();
            return null;
        }
    }

    private async Task AcceptAsync(string targetHost, int targetPort, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener!.AcceptSocketAsync(token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            var source = (client.RemoteEndPoint as IPEndPoint)?.Address;
            if (source is null || !_sandboxes.TryGetValue(source.IsIPv4MappedToIPv6 ? source.MapToIPv4() : source, out var applicationId))
            {
                _ = RefuseAsync(client, "this address is no sandbox of the portal's");
                continue;
            }

            if (!TryTake(applicationId, out var refusal))
            {
                LogRefused(applicationId, refusal);
                _ = RefuseAsync(client, refusal);
                continue;
            }

            _ = RelayAsync(client, targetHost, targetPort, applicationId, token);
        }
    }

    private bool TryTake(Guid applicationId, out string refusal)
    {
        lock (_open)
        {
            var mine = _open.GetValueOrDefault(applicationId);
            refusal = mine >= _maxPerApplication
                ? $"this application already holds {mine} connections through the sandbox relay (Runtime:DatabaseRelayConnectionsPerApplication)"
                : _total >= _maxConnections ? $"the sandbox relay already carries {_total} connections (Runtime:DatabaseRelayMaxConnections)" : "";
            if (refusal.Length > 0)
            {
                return false;
            }

            _open[applicationId] = mine + 1;
            _total++;
            return true;
        }
    }

    private void Release(Guid applicationId)
    {
        lock (_open)
        {
            _total--;
            if (--_open[applicationId] == 0)
            {
                _open.Remove(applicationId);
            }
        }
    }

    /// <summary>Answers as PostgreSQL does when it has no slot left (FATAL 53300), then closes.</summary>
    private static async Task RefuseAsync(Socket client, string reason)
    {
        using (client)
        {
            try
            {
                var fields = Encoding.UTF8.GetBytes($"SFATAL\0VFATAL\0C53300\0Mtoo many connections: {reason}\0\0");
                var message = new byte[5 + fields.Length];
                message[0] = (byte)'E';
                System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), 4 + fields.Length);
                fields.CopyTo(message, 5);
                using var sent = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await client.SendAsync(message, SocketFlags.None, sent.Token);
                client.Shutdown(SocketShutdown.Both);
            }
            catch (Exception exception) when (exception is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task RelayAsync(Socket client, string targetHost, int targetPort, Guid applicationId, CancellationToken token)
    {
        try
        {
            await RelayAsync(client, targetHost, targetPort, token);
        }
        finally
        {
            Release(applicationId);
        }
    }

    private static async Task RelayAsync(Socket client, string targetHost, int targetPort, CancellationToken token)
    {
        using (client)
        {
            using var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            client.NoDelay = true;
            try
            {
                await server.ConnectAsync(targetHost, targetPort, token);
                await using var fromClient = new NetworkStream(client, ownsSocket: false);
                await using var toServer = new NetworkStream(server, ownsSocket: false);
                using var ended = CancellationTokenSource.CreateLinkedTokenSource(token);
                var up = PumpAsync(fromClient, toServer, server, ended.Token);
                var down = PumpAsync(toServer, fromClient, client, ended.Token);
                await Task.WhenAny(up, down);
                await ended.CancelAsync();
                await Task.WhenAll(up, down);
            }
            catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException)
            {
                // Either side went away; closing both ends is all there is to do.
            }
        }
    }

    /// <summary>Copies one direction until it ends, then closes the other side's sending half.</summary>
    private static async Task PumpAsync(NetworkStream from, NetworkStream to, Socket toSocket, CancellationToken token)
    {
        try
        {
            await from.CopyToAsync(to, 64 * 1024, token);
            toSocket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        _listener?.Stop();
        if (_accepting is not null)
        {
            await _accepting;
        }

        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A database connection of application {Application} was refused: {Reason}")]
    private partial void LogRefused(Guid application, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Port {Port} of the sandbox service address is taken: sandboxes reach their databases on port {Used} instead")]
    private partial void LogPortTaken(int port, int used);
}
