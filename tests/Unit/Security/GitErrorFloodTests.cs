using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Applications;
using Platform.Domain.Runtime;
using Platform.Portal.Runtime;
using Platform.Portal.Runtime.Sandbox;
using Xunit.Abstractions;

namespace Platform.Tests.Security;

/// <summary>
/// A repository's server is the tenant's to choose, and git prints what it says: an http(s) server that answers 404
/// with a text/plain body has each of its lines printed as "remote: …" on git's standard error, a million of them in
/// under a second (over ssh, the server's standard error is passed on as it comes). GitSources kept every such line in
/// a list for its reason, in the portal's memory (root, outside every sandbox limit), for the whole run: with 4 million
/// lines (an 8 MB body) the portal held 184 MB more, and a body of a few hundred MB (git's 4 GB sandbox holds it) would have
/// sent the host to its OOM killer. The head check runs for every application every few minutes, unasked.
/// </summary>
[Collection(Platform.Tests.Runtime.MemoryMeasurements.Name)]
public sealed class GitErrorFloodTests(EscapePortal escape, ITestOutputHelper output) : IClassFixture<EscapePortal>
{
    private const int Lines = 4_000_000;

    [Fact]
    public async Task BranchHead_OfAServerThatAnswersMillionsOfLines_KeepsThePortalsMemoryBounded_AndGivesGitsReason()
    {
        var runtime = escape.Portal.Services.GetRequiredService<LocalRuntime>();
        var network = escape.Portal.Services.GetRequiredService<SandboxNetwork>();
        // Sandboxes reach sockets bound to the service address itself: the hostile server stands there, as it would on the internet.
        using var server = new FloodingServer(network.ServiceAddress, Lines);
        var source = new GitSource($"http://{network.ServiceAddress}:{server.Port}/hostile.git", "main", "/");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var call = Assert.ThrowsAsync<RuntimeFailureException>(() => runtime.BranchHeadAsync(Guid.NewGuid(), source, null, CancellationToken.None));
        // Samples through the run: the lines a leak keeps grow for the whole run, so the later samples see them. Each sample
        // is a blocking full collection of the suite's whole heap (684 MB in a full run), which also pauses the portal
        // reading git's output (git waits on the full pipe): taken every second in a loaded run, the pauses kept git from
        // finishing within its minute. The wait after each is four times what it took, so sampling holds the portal back
        // a fifth of the time at most, whatever the heap's size.
        long live = before;
        while (!call.IsCompleted)
        {
            var started = Stopwatch.GetTimestamp();
            live = Math.Max(live, GC.GetTotalMemory(forceFullCollection: true));
            var wait = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, 4 * Stopwatch.GetElapsedTime(started).Ticks));
            await Task.WhenAny(call, Task.Delay(wait));
        }

        var failure = await call;
        output.WriteLine($"live objects {before / 1024 / 1024} MB before, {live / 1024 / 1024} MB at most; {server.Served} answers served; {failure.Message}");

        Assert.True(server.Served > 0, "git never asked the hostile server");
        Assert.Contains("not found", failure.Message, StringComparison.Ordinal);
        Assert.True(live - before < 60L * 1024 * 1024, $"The portal held {(live - before) / 1024 / 1024} MB more live objects while git printed the server's {Lines} lines");
    }

    /// <summary>An http server that answers every request 404, text/plain, with a body of this many short lines.</summary>
    private sealed class FloodingServer : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private int _served;

        public FloodingServer(IPAddress address, int lines)
        {
            _listener = new TcpListener(address, 0);
            _listener.Start();
            var body = new byte[lines * 2];
            for (var i = 0; i < body.Length; i += 2)
            {
                (body[i], body[i + 1]) = ((byte)'x', (byte)'\n');
            }

            _ = ServeAsync(body);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Served => _served;

        private async Task ServeAsync(byte[] body)
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            var stream = client.GetStream();
                            var request = new StringBuilder();
                            var buffer = new byte[4096];
                            while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                            {
                                var read = await stream.ReadAsync(buffer, _stop.Token);
                                if (read == 0)
                                {
                                    return;
                                }

                                request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                            }

                            var head = $"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
                            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                            await stream.WriteAsync(body, _stop.Token);
                            Interlocked.Increment(ref _served);
                        }
                        catch (Exception exception) when (exception is IOException or OperationCanceledException or SocketException)
                        {
                        }
                    }
                });
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }
    }
}
