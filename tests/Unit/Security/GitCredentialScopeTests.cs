using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Applications;
using Platform.Domain.Runtime;
using Platform.Portal.Runtime;
using Platform.Portal.Runtime.Sandbox;

namespace Platform.Tests.Security;

/// <summary>
/// A repository's password goes to git through a credential helper. The helper answered every host git asked for: a
/// repository that redirects (git follows the first request's redirect; an open redirect of the host will do, since
/// git puts /info/refs after the URL's path) had the password sent to whatever host it named, over http as well,
/// where settings keep a stored secret only for the scheme, user and host it was given for.
/// </summary>
public sealed class GitCredentialScopeTests(EscapePortal escape) : IClassFixture<EscapePortal>
{
    private const string Password = "repository-password-for-its-own-host";
    private static readonly string Basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"alice:{Password}"));

    private LocalRuntime Runtime => escape.Portal.Services.GetRequiredService<LocalRuntime>();

    private IPAddress Service => escape.Portal.Services.GetRequiredService<SandboxNetwork>().ServiceAddress;

    [Fact]
    public async Task BranchHead_OfARepositoryThatRedirectsToAnotherHost_SendsThatHostNoPassword()
    {
        using var elsewhere = new RecordingServer(Service, _ => Unauthorized);
        using var repository = new RecordingServer(Service, request =>
            $"HTTP/1.1 302 Found\r\nLocation: http://{Service}:{elsewhere.Port}/taken.git/info/refs?service=git-upload-pack\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

        await Assert.ThrowsAsync<RuntimeFailureException>(() => Runtime.BranchHeadAsync(Guid.NewGuid(),
            new GitSource($"http://{Service}:{repository.Port}/own.git", "main", "/"), new GitCredentials("alice", Password), CancellationToken.None));

        Assert.NotEmpty(repository.Requests);
        Assert.NotEmpty(elsewhere.Requests);
        Assert.DoesNotContain(elsewhere.Requests, r => r.Contains(Basic, StringComparison.Ordinal));
    }

    [Fact]
    public async Task BranchHead_OfARepositoryThatAsksForThePassword_SendsItToItsOwnHost()
    {
        using var repository = new RecordingServer(Service, _ => Unauthorized);

        await Assert.ThrowsAsync<RuntimeFailureException>(() => Runtime.BranchHeadAsync(Guid.NewGuid(),
            new GitSource($"http://{Service}:{repository.Port}/own.git", "main", "/"), new GitCredentials("alice", Password), CancellationToken.None));

        Assert.Contains(repository.Requests, r => r.Contains(Basic, StringComparison.Ordinal));
    }

    private const string Unauthorized = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"git\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

    /// <summary>An http server that notes each request's head and answers what the test says.</summary>
    private sealed class RecordingServer : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly Func<string, string> _answer;

        public RecordingServer(IPAddress address, Func<string, string> answer)
        {
            _answer = answer;
            _listener = new TcpListener(address, 0);
            _listener.Start();
            _ = ServeAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public ConcurrentQueue<string> Requests { get; } = new();

        private async Task ServeAsync()
        {
            while (true)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync();
                }
                catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
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
                                var read = await stream.ReadAsync(buffer);
                                if (read == 0)
                                {
                                    return;
                                }

                                request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                            }

                            Requests.Enqueue(request.ToString());
                            await stream.WriteAsync(Encoding.ASCII.GetBytes(_answer(request.ToString())));
                        }
                        catch (Exception exception) when (exception is IOException or SocketException)
                        {
                        }
                    }
                });
            }
        }

        public void Dispose() => _listener.Stop();
    }
}
