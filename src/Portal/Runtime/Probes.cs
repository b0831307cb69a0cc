using System.Net.Sockets;
using Platform.Domain.Applications;

namespace Platform.Portal.Runtime;

/// <summary>Readiness and liveness checks of an instance: an HTTP GET answering 2xx or 3xx, a TCP connect, or a command exiting 0.</summary>
public sealed class Probes(IHttpClientFactory clients)
{
    public const string ClientName = "probes";

    /// <param name="runCommand">Runs a command probe until it exits or the token (the probe's timeout) fires, then kills what is left.</param>
    public async Task<bool> CheckAsync(Probe probe, System.Net.IPAddress address, int port, Func<string, CancellationToken, Task<bool>> runCommand, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(probe.TimeoutSeconds));
        try
        {
            switch (probe.Type)
            {
                case ProbeType.Http:
                    using (var response = await clients.CreateClient(ClientName).GetAsync(new Uri($"http://{address}:{port}{probe.Path}"), HttpCompletionOption.ResponseHeadersRead, timeout.Token))
                    {
                        return (int)response.StatusCode is >= 200 and < 400;
                    }

                case ProbeType.Tcp:
                    using (var client = new TcpClient())
                    {
                        await client.ConnectAsync(address, port, timeout.Token);
                        return true;
                    }

                default:
                    return await runCommand(probe.Command!, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static string Describe(Probe probe, int port) => probe.Type switch
    {
        ProbeType.Http => $"HTTP GET {probe.Path} on port {port}",
        ProbeType.Tcp => $"a TCP connection to port {port}",
        _ => $"the command {probe.Command}",
    };
}
