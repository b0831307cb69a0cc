using System.Net;
using System.Net.Sockets;

namespace Platform.Portal.Runtime.Sandbox;

/// <summary>
/// Carries sandboxes' connections to the runtime's database server: it listens on the sandbox network's service
/// address (the one address of the host that sandboxes reach) and relays each connection, byte for byte, to the
/// server the portal knows. Which database a connection may open is PostgreSQL's to decide: each application's role
/// has CONNECT on its own database only, with a connection limit.
/// </summary>
public sealed partial class DatabaseRelay(ILogger<DatabaseRelay> logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;
    private TcpListener? _listener;
    private Task? _accepting;

    /// <summary>Where sandboxes connect; null until it listens.</summary>
    public IPEndPoint? Endpoint { get; private set; }

    /// <summary>Listens on the address, on the port when it is free (else on any free one, said in the log), relaying to the target.</summary>
    public void Start(IPAddress address, int port, string targetHost, int targetPort)
    {
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

            _ = RelayAsync(client, targetHost, targetPort, token);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Port {Port} of the sandbox service address is taken: sandboxes reach their databases on port {Used} instead")]
    private partial void LogPortTaken(int port, int used);
}
