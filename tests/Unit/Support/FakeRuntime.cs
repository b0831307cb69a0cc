using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Applications;
using Platform.Domain.Clusters;
using Platform.Domain.Databases;
using Platform.Domain.Runtime;
using Platform.Portal.Runtime;

namespace Platform.Tests.Support;

/// <summary>A release the fake runs: the build it runs from, the version that build holds, its settings and variables.</summary>
public sealed record FakeRelease(Guid ApplicationId, Guid DeploymentId, string BuildId, string Version, ReleaseOrder Order, DateTimeOffset StartedAt)
{
    public int Instances => Math.Max(1, Order.Settings.MinRunningInstances);
}

/// <summary>
/// An <see cref="IRuntime"/> in memory that passes the runtime contract (<c>FakeRuntimeContractTests</c>), so the
/// engine's rules get tests without processes. Builds, databases and repositories live in a
/// <see cref="FakeRuntimeState"/>; what runs lives here, so a new fake over the same state is the runtime of a restarted
/// portal: nothing runs, what was kept is there. Build and start commands read as a shell would, in part: <c>exit N</c>
/// fails with code N, <c>sleep N</c> takes N seconds, <c>hold NAME</c> waits until the test opens that gate
/// (<see cref="FakeRuntimeState.Gate"/>); anything else succeeds at once. Every order is recorded in the state.
/// </summary>
public sealed class FakeRuntime(FakeRuntimeState state) : IRuntime, IRuntimes
{
    public static readonly DatabaseServerAddress Address = new("databases.fake-runtime.invalid", 5432);

    private readonly Dictionary<Guid, FakeApplication> _applications = [];

    public FakeRuntimeState State => state;

    /// <summary>Puts a fake over this state in place of the portal's runtimes.</summary>
    public static void Replace(IServiceCollection services, FakeRuntimeState state) => services.AddSingleton<IRuntimes>(_ => new FakeRuntime(state));

    /// <summary>The fake a portal made by <see cref="Replace"/> runs on.</summary>
    public static FakeRuntime Of(PortalFactory portal) => (FakeRuntime)portal.Services.GetRequiredService<IRuntimes>();

    public IRuntime ForCluster(Cluster cluster) => this;

    public string? UnavailableReason => null;

    /// <summary>The release traffic goes to; null when none.</summary>
    public FakeRelease? Live(Guid applicationId)
    {
        lock (_applications)
        {
            return _applications.GetValueOrDefault(applicationId)?.Live;
        }
    }

    /// <summary>The releases whose instances run, the live one and one started (or starting) but not promoted.</summary>
    public IReadOnlyList<FakeRelease> Running(Guid applicationId)
    {
        lock (_applications)
        {
            return _applications.GetValueOrDefault(applicationId) is { } application ? new[] { application.Live, application.Pending }.OfType<FakeRelease>().ToList() : [];
        }
    }

    /// <summary>Whether a connection with this URL (postgresql://role:password@host:port/database) would be taken.</summary>
    public bool Connects(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == "postgresql" && uri.Host == Address.Host && uri.Port == Address.Port
        && uri.UserInfo.Split(':', 2) is [var role, var password] && uri.AbsolutePath.TrimStart('/') == role
        && state.AcceptsConnections(new DatabaseOrder(Guid.Empty, role, Uri.UnescapeDataString(password)));

    public async Task<FetchedSource> FetchAsync(FetchOrder order, CancellationToken cancellationToken)
    {
        state.Record(new RuntimeCall(nameof(FetchAsync), order.ApplicationId, order.DeploymentId, order));
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        var url = order.Source.Url;
        var repository = state.FindRepository(url) ?? throw new RuntimeFailureException($"The repository {url} could not be fetched: it does not exist.");
        var commit = order.CommitId is null
            ? repository.Head(order.Source.Branch) ?? throw new RuntimeFailureException($"The branch {order.Source.Branch} does not exist in {url}.")
            : repository.Find(order.CommitId) ?? throw new RuntimeFailureException($"The commit {order.CommitId} does not exist in {url}.");
        var buildId = $"fake-build-{order.DeploymentId:N}";
        state.Builds[buildId] = new FakeBuild(order.ApplicationId, commit);
        return new FetchedSource(commit.ToCommit(), buildId);
    }

    public async Task BuildAsync(BuildOrder order, CancellationToken cancellationToken)
    {
        state.Record(new RuntimeCall(nameof(BuildAsync), order.ApplicationId, order.DeploymentId, order));
        _ = BuildOf(order.BuildId);
        await RunAsync(order.BuildCommand, code => $"The build command exited with code {code}.", cancellationToken);
    }

    public Task<bool> HasBuildAsync(string buildId, CancellationToken cancellationToken) => Task.FromResult(state.Builds.ContainsKey(buildId));

    public async Task StartAsync(ReleaseOrder order, CancellationToken cancellationToken)
    {
        state.Record(new RuntimeCall(nameof(StartAsync), order.ApplicationId, order.DeploymentId, order));
        var release = new FakeRelease(order.ApplicationId, order.DeploymentId, order.BuildId, BuildOf(order.BuildId).Commit.Version, order, DateTimeOffset.UtcNow);
        FakeApplication application;
        lock (_applications)
        {
            application = _applications.TryGetValue(order.ApplicationId, out var found) ? found : _applications[order.ApplicationId] = new FakeApplication();
            application.Pending = release;
        }

        try
        {
            await RunAsync(order.Settings.StartCommand, code => $"Instance {order.DeploymentId:N} exited with code {code} before it was ready.", cancellationToken);
        }
        catch
        {
            lock (_applications)
            {
                if (application.Pending == release)
                {
                    application.Pending = null;
                }
            }

            throw;
        }
    }

    public Task PromoteAsync(Guid applicationId, Guid deploymentId, CancellationToken cancellationToken)
    {
        state.Record(new RuntimeCall(nameof(PromoteAsync), applicationId, deploymentId));
        lock (_applications)
        {
            if (_applications.GetValueOrDefault(applicationId) is not { Pending: { } pending } application || pending.DeploymentId != deploymentId)
            {
                throw new RuntimeFailureException("The release to switch to is not running.");
            }

            (application.Live, application.Pending) = (pending, null);
        }

        return Task.CompletedTask;
    }

    public Task DiscardAsync(Guid applicationId, Guid deploymentId, CancellationToken cancellationToken)
    {
        state.Record(new RuntimeCall(nameof(DiscardAsync), applicationId, deploymentId));
        lock (_applications)
        {
            if (_applications.GetValueOrDefault(applicationId) is { } application && application.Pending?.DeploymentId == deploymentId)
            {
                application.Pending = null;
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(Guid applicationId, CancellationToken cancellationToken)
    {
        state.Record(new RuntimeCall(nameof(StopAsync), applicationId));
        lock (_applications)
        {
            _applications.Remove(applicationId);
        }

        return Task.CompletedTask;
    }

    public Task DeleteApplicationAsync(Guid applicationId, CancellationToken cancellationToken)
    {
        state.Record(new RuntimeCall(nameof(DeleteApplicationAsync), applicationId));
        lock (_applications)
        {
            _applications.Remove(applicationId);
        }

        foreach (var build in state.BuildsOf(applicationId))
        {
            state.ForgetBuild(build);
        }

        return Task.CompletedTask;
    }

    public Task<ApplicationSnapshot?> ObserveAsync(Guid applicationId, CancellationToken cancellationToken)
    {
        var live = Live(applicationId);
        return Task.FromResult(live is null ? null : new ApplicationSnapshot(applicationId, live.DeploymentId, live.Instances, Enumerable.Range(1, live.Instances)
            .Select(i => Instance(applicationId, live, i))
            .ToList()));
    }

    /// <summary>An instance of the live release, consuming what the test set for the application (<see cref="FakeRuntimeState.Consume"/>).</summary>
    private InstanceSnapshot Instance(Guid applicationId, FakeRelease live, int slot)
    {
        var usage = state.ConsumptionOf(applicationId);
        return new InstanceSnapshot($"{live.DeploymentId:N}"[^6..] + "-" + slot.ToString(CultureInfo.InvariantCulture), live.DeploymentId, InstanceState.Ready, 0,
            usage.CpuCores, usage.MemoryMb, live.StartedAt)
        {
            Slot = slot,
            StorageGb = usage.StorageGb,
            LastProbe = new ProbeResult(usage.ProbePasses, usage.ProbeLatencyMs, live.StartedAt),
        };
    }

    public async Task<string> BranchHeadAsync(Guid applicationId, GitSource source, GitCredentials? credentials, CancellationToken cancellationToken)
    {
        state.Record(new RuntimeCall(nameof(BranchHeadAsync), applicationId, null, source, credentials));
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        var repository = state.FindRepository(source.Url) ?? throw new RuntimeFailureException($"The repository {source.Url} could not be reached: it does not exist.");
        return (repository.Head(source.Branch) ?? throw new RuntimeFailureException($"The branch {source.Branch} does not exist in {source.Url}.")).Id;
    }

    public Uri UrlOf(Guid applicationId, string name) => new($"http://{RouterAddress.Label(name, applicationId)}.apps.fake-runtime.invalid/");

    public Task DeployDatabaseAsync(DatabaseOrder order, CancellationToken cancellationToken)
    {
        state.Record(new RuntimeCall(nameof(DeployDatabaseAsync), order.DatabaseId, Order: order));
        cancellationToken.ThrowIfCancellationRequested();
        state.Databases[order.ServerName] = new FakeDatabase(order.Password, Open: true);
        return Task.CompletedTask;
    }

    public Task StopDatabaseAsync(DatabaseOrder order, CancellationToken cancellationToken)
    {
        state.Record(new RuntimeCall(nameof(StopDatabaseAsync), order.DatabaseId, Order: order));
        cancellationToken.ThrowIfCancellationRequested();
        if (state.Databases.TryGetValue(order.ServerName, out var database))
        {
            state.Databases[order.ServerName] = database with { Open = false };
        }

        return Task.CompletedTask;
    }

    public Task DeleteDatabaseAsync(DatabaseOrder order, CancellationToken cancellationToken)
    {
        state.Record(new RuntimeCall(nameof(DeleteDatabaseAsync), order.DatabaseId, Order: order));
        cancellationToken.ThrowIfCancellationRequested();
        state.Databases.TryRemove(order.ServerName, out _);
        return Task.CompletedTask;
    }

    public Task<DatabaseServerAddress> DatabaseAddressAsync(CancellationToken cancellationToken) => Task.FromResult(Address);

    private FakeBuild BuildOf(string buildId) =>
        state.Builds.GetValueOrDefault(buildId) ?? throw new RuntimeFailureException($"The build {buildId} does not exist.");

    /// <summary>Carries out a command as the fake reads it; a failure's message is the runtime's for its code.</summary>
    private async Task RunAsync(string? command, Func<int, string> failure, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        switch (command?.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            case ["exit", var text] when int.TryParse(text, CultureInfo.InvariantCulture, out var code) && code != 0:
                throw new RuntimeFailureException(failure(code));
            case ["sleep", var text] when double.TryParse(text, CultureInfo.InvariantCulture, out var seconds):
                await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
                break;
            case ["hold", var gate]:
                await state.Gate(gate).WaitAsync(cancellationToken);
                break;
        }
    }

    private sealed class FakeApplication
    {
        public FakeRelease? Live { get; set; }

        public FakeRelease? Pending { get; set; }
    }
}
