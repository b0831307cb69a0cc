using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Applications;
using Platform.Domain.Runtime;
using Platform.Portal.Runtime;
using Platform.Portal.Runtime.Sandbox;
using Platform.Tests.Deployments;

namespace Platform.Tests.Security;

/// <summary>
/// The head check (git ls-remote, for every application every few minutes) took the same per-application gate as a
/// deployment's fetch: a repository's server that accepts and never answers (the tenant's to run) held a fetch for its
/// 5 minutes, and the head check, which touches neither the git cache nor the build, waited all of that before its own
/// minute began; a head check on such a server held the application's next deployment for its minute in turn. A job
/// that asks every application in turn waited as long for each such one.
/// </summary>
public sealed class GitLockTests(EscapePortal escape) : IClassFixture<EscapePortal>
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(30);

    private LocalRuntime Runtime => escape.Portal.Services.GetRequiredService<LocalRuntime>();

    [Fact]
    public async Task BranchHead_WhileTheApplicationsFetchHangsOnItsServer_AnswersPromptly()
    {
        using var hanging = new HangingServer(escape.Portal.Services.GetRequiredService<SandboxNetwork>().ServiceAddress);
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var application = Guid.NewGuid();
        using var stop = new CancellationTokenSource();
        var fetch = Runtime.FetchAsync(new FetchOrder(application, Guid.NewGuid(), hanging.Source, null, null), stop.Token);
        try
        {
            await hanging.ConnectedAsync(fetch);

            var head = await Runtime.BranchHeadAsync(application, new GitSource(repository.Url, "main", "/"), null, CancellationToken.None).WaitAsync(Prompt);

            Assert.Equal(repository.Commits[^1], head);
        }
        finally
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => fetch);
            await Runtime.DeleteApplicationAsync(application, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Fetch_WhileTheApplicationsHeadCheckHangsOnItsServer_GoesOnPromptly()
    {
        using var hanging = new HangingServer(escape.Portal.Services.GetRequiredService<SandboxNetwork>().ServiceAddress);
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var application = Guid.NewGuid();
        using var stop = new CancellationTokenSource();
        var check = Runtime.BranchHeadAsync(application, hanging.Source, null, stop.Token);
        try
        {
            await hanging.ConnectedAsync(check);

            var fetched = await Runtime.FetchAsync(new FetchOrder(application, Guid.NewGuid(), new GitSource(repository.Url, "main", "/"), null, null), CancellationToken.None)
                .WaitAsync(Prompt);

            Assert.Equal(repository.Commits[^1], fetched.Commit.LongId);
        }
        finally
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => check);
            await Runtime.DeleteApplicationAsync(application, CancellationToken.None);
        }
    }

    /// <summary>An http server on the sandboxes' service address that accepts connections and never answers.</summary>
    private sealed class HangingServer : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly List<TcpClient> _clients = [];
        private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public HangingServer(IPAddress address)
        {
            _listener = new TcpListener(address, 0);
            _listener.Start();
            Source = new GitSource($"http://{address}:{((IPEndPoint)_listener.LocalEndpoint).Port}/hanging.git", "main", "/");
            _ = AcceptAsync();
        }

        public GitSource Source { get; }

        /// <summary>Waits until git is connected (and so holds whatever it holds while it waits); fails if the call ended first.</summary>
        public async Task ConnectedAsync(Task call)
        {
            var first = await Task.WhenAny(_connected.Task, call, Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.True(first == _connected.Task, first == call ? $"git's call ended before it connected: {call.Exception?.GetBaseException().Message}" : "git never connected");
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync();
                    lock (_clients)
                    {
                        _clients.Add(client);
                    }

                    _connected.TrySetResult();
                }
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            lock (_clients)
            {
                _clients.ForEach(c => c.Dispose());
            }
        }
    }
}
