using Platform.Domain.Applications;
using Platform.Domain.Databases;
using Platform.Domain.Logs;
using Platform.Domain.Runtime;
using Platform.Portal.Runtime.Sandbox;

namespace Platform.Portal.Runtime;

/// <summary>
/// The embedded runtime: builds applications from git on this host and runs them as supervised processes, each in a
/// sandbox of its own (<see cref="LocalSandbox"/>), behind the portal's router; databases are created on a PostgreSQL
/// server (<see cref="LocalDatabaseServer"/>). This class takes the orders of <see cref="IRuntime"/> and keeps which
/// release of each application is live; its parts are the builds (<see cref="LocalBuilds"/>), the instances'
/// supervision (<see cref="InstanceSupervisor"/>) and the scaler (<see cref="Autoscaler"/>).
/// </summary>
public sealed partial class LocalRuntime(
    LocalRuntimeSettings settings,
    LocalApplications applications,
    LocalBuilds builds,
    InstanceSupervisor supervisor,
    Autoscaler autoscaler,
    StorageMeter storage,
    LocalDatabaseServer databases,
    RouterAddress router,
    LocalSandbox sandbox,
    ProcessLedger ledger,
    ILogSink logs,
    ILogger<LocalRuntime> logger) : IRuntime, IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _scaling, _measuring;
    private int _stopped, _disposed;

    public string? UnavailableReason => sandbox.UnavailableReason;

    public Task<FetchedSource> FetchAsync(FetchOrder order, CancellationToken cancellationToken)
    {
        sandbox.EnsureAvailable();
        return builds.FetchAsync(order, cancellationToken);
    }

    public Task<string> BranchHeadAsync(Guid applicationId, GitSource source, GitCredentials? credentials, CancellationToken cancellationToken)
    {
        sandbox.EnsureAvailable();
        return builds.BranchHeadAsync(applicationId, source, credentials, cancellationToken);
    }

    public Task BuildAsync(BuildOrder order, CancellationToken cancellationToken)
    {
        sandbox.EnsureAvailable();
        return builds.BuildAsync(order, cancellationToken);
    }

    public Task<bool> HasBuildAsync(string buildId, CancellationToken cancellationToken) => Task.FromResult(builds.HasBuild(buildId));

    public async Task StartAsync(ReleaseOrder order, CancellationToken cancellationToken)
    {
        sandbox.EnsureAvailable();
        var application = applications.GetOrAdd(order.ApplicationId);
        var release = new LocalRelease(order.ApplicationId, order.DeploymentId, order.BuildId, order.Settings, order.Variables);
        LocalRelease? replaced;
        lock (application)
        {
            replaced = application.Pending;
            application.Pending = release;
        }

        if (replaced is not null)
        {
            await supervisor.StopAsync(replaced);
        }

        var count = Math.Max(1, order.Settings.MinRunningInstances);
        var instances = Enumerable.Range(0, count).Select(_ => release.AddInstance()).ToList();

        try
        {
            await Task.WhenAll(instances.Select(instance => supervisor.StartReadyAsync(instance, cancellationToken)));
        }
        catch
        {
            await DiscardAsync(order.ApplicationId, order.DeploymentId, CancellationToken.None);
            throw;
        }
    }

    public async Task PromoteAsync(Guid applicationId, Guid deploymentId, CancellationToken cancellationToken)
    {
        if (!applications.TryGet(applicationId, out var application))
        {
            throw new RuntimeFailureException("The release to switch to is not running.");
        }

        LocalRelease? old;
        LocalRelease live;
        lock (application)
        {
            if (application.Pending?.DeploymentId != deploymentId)
            {
                throw new RuntimeFailureException("The release to switch to is not running.");
            }

            old = application.Current;
            live = application.Current = application.Pending;
            application.Pending = null;
            router.Route(applicationId);
        }

        logs.Write(new LogEntry(applicationId, deploymentId, "platform", LogStream.System, $"Traffic now goes to {live.Instances.Count} new instance(s).", DateTimeOffset.UtcNow));
        if (old is null || settings.Drain <= TimeSpan.Zero)
        {
            await RetireAsync(application, old, live.BuildId);
            return;
        }

        // Requests already on their way to the old instances finish before those stop: the drain. The deployment does
        // not wait for it (it held a RUNNING redeploy 2 s and more behind a timer); the old release stays known to the
        // application (Retiring) until it has stopped, so stopping the application or the portal stops it too.
        lock (application)
        {
            application.Retiring.Add(old);
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(settings.Drain, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                // The portal stops: it stops every release itself, this one included.
            }

            await RetireAsync(application, old, live.BuildId);
        }, CancellationToken.None);
    }

    /// <summary>Stops a release traffic has left (none: nothing to stop), forgets it, then prunes the builds nobody runs.</summary>
    private async Task RetireAsync(LocalApplication application, LocalRelease? old, string liveBuildId)
    {
        try
        {
            if (old is not null)
            {
                await supervisor.StopAsync(old);
                lock (application)
                {
                    application.Retiring.Remove(old);
                }
            }

            await builds.PruneAsync(application.Id, liveBuildId);
        }
        catch (Exception exception) when (old is not null && exception is not OperationCanceledException)
        {
            LogRetireFailure(exception, application.Id, old.DeploymentId);
        }
    }

    public async Task DiscardAsync(Guid applicationId, Guid deploymentId, CancellationToken cancellationToken)
    {
        if (!applications.TryGet(applicationId, out var application))
        {
            return;
        }

        LocalRelease? pending;
        lock (application)
        {
            pending = application.Pending?.DeploymentId == deploymentId ? application.Pending : null;
            if (pending is not null)
            {
                application.Pending = null;
            }
        }

        if (pending is not null)
        {
            await supervisor.StopAsync(pending);
        }
    }

    public async Task StopAsync(Guid applicationId, CancellationToken cancellationToken)
    {
        router.Unroute(applicationId);
        if (!applications.TryRemove(applicationId, out var application))
        {
            return;
        }

        LocalRelease?[] releases;
        lock (application)
        {
            releases = [application.Current, application.Pending, .. application.Retiring];
            application.Current = application.Pending = null;
            application.Retiring.Clear();
        }

        await Task.WhenAll(releases.OfType<LocalRelease>().Select(supervisor.StopAsync));
    }

    public async Task DeleteApplicationAsync(Guid applicationId, CancellationToken cancellationToken)
    {
        await StopAsync(applicationId, cancellationToken);
        await builds.DeleteAllAsync(applicationId);
    }

    public Task<ApplicationSnapshot?> ObserveAsync(Guid applicationId, CancellationToken cancellationToken)
    {
        if (!applications.TryGet(applicationId, out var application) || application.Current is not { } current)
        {
            return Task.FromResult<ApplicationSnapshot?>(null);
        }

        lock (current)
        {
            return Task.FromResult<ApplicationSnapshot?>(
                new ApplicationSnapshot(applicationId, current.DeploymentId, current.Instances.Count, current.Instances.Select(i => i.Snapshot()).ToList()));
        }
    }

    public Uri UrlOf(Guid applicationId, string name) => router.UrlOf(name, applicationId);

    public Task DeployDatabaseAsync(DatabaseOrder order, CancellationToken cancellationToken) => databases.DeployAsync(order, cancellationToken);

    public Task StopDatabaseAsync(DatabaseOrder order, CancellationToken cancellationToken) => databases.StopAsync(order, cancellationToken);

    public Task DeleteDatabaseAsync(DatabaseOrder order, CancellationToken cancellationToken) => databases.DeleteAsync(order, cancellationToken);

    public Task<DatabaseServerAddress> DatabaseAddressAsync(CancellationToken cancellationToken) => Task.FromResult(sandbox.DatabaseAddress);

    async Task IHostedService.StartAsync(CancellationToken cancellationToken)
    {
        // Before anything else: what a portal that was killed left running must not hold the folders set up next.
        if (ledger.KillLeftovers() is > 0 and var killed)
        {
            LogLeftoversKilled(killed);
        }

        // Made once: every application's user passes through these to its own folders.
        await RuntimeIdentities.PassThroughFolderAsync(settings.Directory);
        await RuntimeIdentities.PassThroughFolderAsync(Path.Combine(settings.Directory, "apps"));
        await sandbox.InitializeAsync(cancellationToken);
        _scaling = autoscaler.RunAsync(_stopping.Token);
        _measuring = storage.RunAsync(_stopping.Token);
    }

    async Task IHostedService.StopAsync(CancellationToken cancellationToken)
    {
        // A host may be stopped twice (a test fixture's DisposeAsync, then its Dispose): the second time has nothing to do.
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        // A host disposed before it was stopped has cancelled the loops already (Dispose): what runs is stopped all the same.
        if (Volatile.Read(ref _disposed) == 0)
        {
            await _stopping.CancelAsync();
        }

        await supervisor.StopWatchingAsync();
        await Task.WhenAll(applications.TakeAll().Select(supervisor.StopAsync));
        await Task.WhenAll(new[] { _scaling, _measuring }.OfType<Task>());

        await sandbox.ReleaseAllAsync();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // The scaler and the storage meter wait on this token: they end, even when the host was never stopped.
        _stopping.Cancel();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The previous release {DeploymentId} of application {ApplicationId} could not be stopped after its drain")]
    private partial void LogRetireFailure(Exception exception, Guid applicationId, Guid deploymentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Killed {Count} build or instance process(es) left running by a portal that did not stop cleanly")]
    private partial void LogLeftoversKilled(int count);
}
