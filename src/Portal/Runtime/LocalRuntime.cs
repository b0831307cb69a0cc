using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Platform.Domain.Applications;
using Platform.Domain.Logs;
using Platform.Domain.Runtime;
using Platform.Portal.Runtime.Sandbox;

namespace Platform.Portal.Runtime;

/// <summary>
/// The embedded runtime: builds applications from git on this host and runs them as supervised processes, each in
/// a sandbox of its own (<see cref="LocalSandbox"/>), behind the portal's router; databases are created on a
/// PostgreSQL server (<see cref="LocalDatabaseServer"/>).
/// </summary>
public sealed partial class LocalRuntime(
    LocalRuntimeSettings settings,
    RuntimeIdentities identities,
    GitSources git,
    Probes probes,
    LocalDatabaseServer databases,
    RouterAddress router,
    LocalSandbox sandbox,
    ProcessLedger ledger,
    ILogSink logs,
    IRuntimeNotices notices,
    ILogger<LocalRuntime> logger) : IRuntime, IHostedService, IDisposable
{
    private static readonly TimeSpan SupervisionPeriod = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<Guid, LocalApplication> _applications = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task? _scaling;
    private int _stopped;

    public string? UnavailableReason => sandbox.UnavailableReason;

    public async Task<FetchedSource> FetchAsync(FetchOrder order, CancellationToken cancellationToken)
    {
        sandbox.EnsureAvailable();
        var buildId = $"{order.ApplicationId:N}/{order.DeploymentId:N}";
        var user = identities.For(order.ApplicationId);
        var cache = await ApplicationFolderAsync(order.ApplicationId, user);
        var folder = BuildFolder(buildId);
        // A build folder left by an earlier attempt of this deployment is the application's: it goes as its uid.
        await sandbox.EmptyAndRemoveAsync(user, folder);
        await RuntimeIdentities.OwnedFolderAsync(folder, user);
        var commit = await git.FetchAsync(order.ApplicationId, order.DeploymentId, order.Source, order.Credentials, order.CommitId, cache, folder, user,
            line => Log(order.ApplicationId, order.DeploymentId, "build", LogStream.System, line), cancellationToken);
        return new FetchedSource(commit, buildId);
    }

    public async Task BuildAsync(BuildOrder order, CancellationToken cancellationToken)
    {
        sandbox.EnsureAvailable();
        if (order.BuildCommand is null)
        {
            Log(order.ApplicationId, order.DeploymentId, "build", LogStream.System, "No build command: the source runs as fetched.");
            return;
        }

        Log(order.ApplicationId, order.DeploymentId, "build", LogStream.System, $"Running the build command: {order.BuildCommand}");
        var user = identities.For(order.ApplicationId);
        await using var scope = await sandbox.CreateScopeAsync(order.ApplicationId, user, $"build-{order.DeploymentId:N}"[..18], networked: true, inboundPort: null,
            settings.BuildMemoryMb, 1, cancellationToken);
        using var process = sandbox.Start(Spec(scope, order.BuildId, order.RootPath, order.BuildCommand, order.Variables.Values, "build"), order.Variables.SecretValues,
            (stream, line) => Log(order.ApplicationId, order.DeploymentId, "build", stream, line));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.BuildTimeout);
        try
        {
            await process.Exited.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await process.KillAsync();
            cancellationToken.ThrowIfCancellationRequested();
            throw new RuntimeFailureException($"The build did not finish within {settings.BuildTimeout.TotalMinutes} minutes and was stopped.");
        }

        if (process.ExitCode != 0)
        {
            throw new RuntimeFailureException(scope.Cgroup is { } cgroup && SandboxCgroups.OomKills(cgroup) > 0
                ? $"The build ran out of memory: it passed Runtime:BuildMemoryMb ({settings.BuildMemoryMb} MB) and was killed."
                : $"The build command exited with code {process.ExitCode}.");
        }
    }

    /// <summary>
    /// What a build's or an instance's process runs: the build folder as /app (read-write), the private /tmp, the
    /// system read-only, nothing else of the host; its variables with PATH, HOME (the working folder) and LANG.
    /// </summary>
    private SandboxSpec Spec(SandboxScope scope, string buildId, string rootPath, string command, IReadOnlyDictionary<string, string> variables, string hostname)
    {
        var folder = BuildFolder(buildId);
        var app = sandbox.Isolation == RuntimeIsolation.Sandbox ? "/app" : folder;
        var workingDirectory = WorkingDirectory(app, rootPath);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = ChildProcess.Path,
            ["HOME"] = workingDirectory,
            ["LANG"] = "C.UTF-8",
        };
        foreach (var (key, value) in variables)
        {
            environment[key] = value;
        }

        return new SandboxSpec(scope.User, ["/bin/sh", "-c", command], workingDirectory, environment,
            [new SandboxMount(folder, app, Writable: true), .. LocalSandbox.TemporaryMount(scope)], scope.Network, scope.Cgroup, hostname);
    }

    /// <summary>An id this runtime never gave (another runtime's, say) names no build here: false, so a rollback fetches again.</summary>
    public Task<bool> HasBuildAsync(string buildId, CancellationToken cancellationToken) => Task.FromResult(IsBuildId(buildId) && Directory.Exists(BuildFolder(buildId)));

    public async Task StartAsync(ReleaseOrder order, CancellationToken cancellationToken)
    {
        sandbox.EnsureAvailable();
        var application = _applications.GetOrAdd(order.ApplicationId, id => new LocalApplication(id));
        var release = new LocalRelease(order.ApplicationId, order.DeploymentId, order.BuildId, order.Settings, order.Variables);
        LocalRelease? replaced;
        lock (application)
        {
            replaced = application.Pending;
            application.Pending = release;
        }

        if (replaced is not null)
        {
            await StopReleaseAsync(replaced);
        }

        var count = Math.Max(1, order.Settings.MinRunningInstances);
        var instances = Enumerable.Range(0, count).Select(_ => new LocalInstance(release.NextInstanceId(), release)).ToList();
        lock (release)
        {
            release.Instances.AddRange(instances);
        }

        try
        {
            await Task.WhenAll(instances.Select(instance => StartReadyAsync(instance, cancellationToken)));
        }
        catch
        {
            await DiscardAsync(order.ApplicationId, order.DeploymentId, CancellationToken.None);
            throw;
        }

        foreach (var instance in instances)
        {
            _ = SuperviseAsync(instance);
        }
    }

    public async Task PromoteAsync(Guid applicationId, Guid deploymentId, CancellationToken cancellationToken)
    {
        if (!_applications.TryGetValue(applicationId, out var application))
        {
            throw new RuntimeFailureException("The release to switch to is not running.");
        }

        LocalRelease? old;
        lock (application)
        {
            if (application.Pending?.DeploymentId != deploymentId)
            {
                throw new RuntimeFailureException("The release to switch to is not running.");
            }

            old = application.Current;
            application.Current = application.Pending;
            application.Pending = null;
            router.Route(applicationId);
        }

        Log(applicationId, deploymentId, "platform", LogStream.System, $"Traffic now goes to {application.Current.Instances.Count} new instance(s).");
        if (old is not null)
        {
            // Requests already on their way to the old instances finish before those stop.
            await Task.Delay(settings.Drain, CancellationToken.None);
            await StopReleaseAsync(old);
        }

        await PruneBuildsAsync(applicationId);
    }

    public async Task DiscardAsync(Guid applicationId, Guid deploymentId, CancellationToken cancellationToken)
    {
        if (!_applications.TryGetValue(applicationId, out var application))
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
            await StopReleaseAsync(pending);
        }
    }

    public async Task StopAsync(Guid applicationId, CancellationToken cancellationToken)
    {
        if (!_applications.TryRemove(applicationId, out var application))
        {
            router.Unroute(applicationId);
            return;
        }

        LocalRelease?[] releases;
        lock (application)
        {
            releases = [application.Current, application.Pending];
            application.Current = application.Pending = null;
        }

        router.Unroute(applicationId);
        await Task.WhenAll(releases.OfType<LocalRelease>().Select(StopReleaseAsync));
    }

    public Task<ApplicationSnapshot?> ObserveAsync(Guid applicationId, CancellationToken cancellationToken)
    {
        if (!_applications.TryGetValue(applicationId, out var application) || application.Current is not { } current)
        {
            return Task.FromResult<ApplicationSnapshot?>(null);
        }

        lock (current)
        {
            return Task.FromResult<ApplicationSnapshot?>(
                new ApplicationSnapshot(applicationId, current.DeploymentId, current.Instances.Count, current.Instances.Select(i => i.Snapshot()).ToList()));
        }
    }

    public Task<Domain.Databases.DatabaseServerAddress> DatabaseAddressAsync(CancellationToken cancellationToken) => Task.FromResult(sandbox.DatabaseAddress);

    /// <summary>The ready instances of an application's live release, for the router.</summary>
    internal IReadOnlyList<LocalInstance> ReadyInstances(Guid applicationId)
    {
        if (!_applications.TryGetValue(applicationId, out var application) || application.Current is not { } current)
        {
            return [];
        }

        lock (current)
        {
            return current.Instances.Where(i => i.State == InstanceState.Ready).ToList();
        }
    }

    internal int NextRoundRobin(Guid applicationId) =>
        _applications.TryGetValue(applicationId, out var application) ? Interlocked.Increment(ref application.RoundRobin) : 0;

    public Uri UrlOf(Guid applicationId, string name) => router.UrlOf(name, applicationId);

    public Task DeployDatabaseAsync(DatabaseOrder order, CancellationToken cancellationToken) => databases.DeployAsync(order, cancellationToken);

    public Task StopDatabaseAsync(DatabaseOrder order, CancellationToken cancellationToken) => databases.StopAsync(order, cancellationToken);

    public Task DeleteDatabaseAsync(DatabaseOrder order, CancellationToken cancellationToken) => databases.DeleteAsync(order, cancellationToken);

    /// <summary>Stops the application's instances, then removes its folder: what its uid owns as that uid, the rest as the portal.</summary>
    public async Task DeleteApplicationAsync(Guid applicationId, CancellationToken cancellationToken)
    {
        await StopAsync(applicationId, cancellationToken);
        var folder = sandbox.ApplicationFolder(applicationId);
        if (!Directory.Exists(folder))
        {
            return;
        }

        var user = identities.For(applicationId);
        string[] portals = [Path.Combine(folder, "builds"), Path.Combine(folder, "tmp")];
        foreach (var owned in portals.Where(Directory.Exists).SelectMany(Directory.GetDirectories).Append(Path.Combine(folder, "git.git")))
        {
            await sandbox.EmptyAndRemoveAsync(user, owned);
        }

        foreach (var own in portals.Append(folder).Where(Directory.Exists))
        {
            try
            {
                Directory.Delete(own, recursive: false);
            }
            catch (IOException exception)
            {
                LogPruneFailure(exception, own);
            }
        }
    }

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
        _scaling = ScaleAsync(_stopping.Token);
    }

    async Task IHostedService.StopAsync(CancellationToken cancellationToken)
    {
        // A host may be stopped twice (a test fixture's DisposeAsync, then its Dispose): the second time has nothing to do.
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        var releases = _applications.Values.SelectMany(a => new[] { a.Current, a.Pending }).OfType<LocalRelease>().ToList();
        _applications.Clear();
        await Task.WhenAll(releases.Select(StopReleaseAsync));
        if (_scaling is not null)
        {
            await _scaling;
        }

        await sandbox.ReleaseAllAsync();
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>Starts an instance's process and waits until its readiness probe passes; throws if it exits or never gets ready.</summary>
    private async Task StartReadyAsync(LocalInstance instance, CancellationToken cancellationToken)
    {
        await LaunchAsync(instance);
        var probe = instance.Release.Readiness;
        // A deployment holds one of the engine's few slots (shared by every tenant) while its instances start: the
        // probe's own budget (up to about 4 days: 3600 + 3600 × 100 + 3600 s) is capped by Runtime:StartTimeoutSeconds.
        var budget = TimeSpan.FromSeconds(Math.Min(settings.StartTimeout.TotalSeconds,
            Math.Max(10, probe.InitialDelaySeconds + ((double)probe.PeriodSeconds * probe.FailureThreshold) + probe.TimeoutSeconds)));
        var deadline = DateTimeOffset.UtcNow + budget;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(probe.InitialDelaySeconds, budget.TotalSeconds)), cancellationToken);
            while (true)
            {
                var process = instance.Process!;
                if (process.HasExited)
                {
                    throw new RuntimeFailureException(
                        $"Instance {instance.Id} exited with code {process.ExitCode} before it was ready. Its log shows why; check the start command.");
                }

                if (await CheckAsync(instance, probe, cancellationToken))
                {
                    instance.State = InstanceState.Ready;
                    Log(instance, LogStream.System, $"Instance {instance.Id} is ready on port {instance.Port}.");
                    return;
                }

                if (DateTimeOffset.UtcNow > deadline)
                {
                    throw new RuntimeFailureException(
                        $"Instance {instance.Id} did not pass its readiness probe ({Probes.Describe(probe, instance.Port)}) within {budget.TotalSeconds:0} s. Does it listen on the port in $PORT, on all interfaces (0.0.0.0)?");
                }

                await Task.WhenAny(process.Exited, Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        catch
        {
            await StopInstanceAsync(instance);
            throw;
        }
    }

    /// <summary>
    /// Starts (or starts again) an instance's process, unless the runtime stopped the instance meanwhile. Its sandbox
    /// scope (network namespace, cgroups, /tmp) is made at the first start and kept across restarts: in its own
    /// namespace the instance listens on the application's own port.
    /// </summary>
    private async Task LaunchAsync(LocalInstance instance)
    {
        var release = instance.Release;
        if (instance.Scope is null)
        {
            var port = sandbox.Isolation == RuntimeIsolation.Sandbox ? release.Settings.Port : FreePort();
            var scope = await sandbox.CreateScopeAsync(release.ApplicationId, identities.For(release.ApplicationId), $"i-{release.DeploymentId:N}"[..14] + "-" + instance.Id.Split('-')[^1],
                networked: true, inboundPort: port, release.Settings.Memory, release.Settings.Cpu, instance.Stopping.Token);
            lock (instance)
            {
                if (!instance.Stopping.IsCancellationRequested)
                {
                    (instance.Scope, instance.Port) = (scope, port);
                }
            }

            if (instance.Scope != scope)
            {
                await scope.DisposeAsync();
                instance.Stopping.Token.ThrowIfCancellationRequested();
            }
        }

        lock (instance)
        {
            instance.Stopping.Token.ThrowIfCancellationRequested();
            instance.State = InstanceState.Starting;
            instance.Process?.Dispose();
            instance.OomKillsSeen = instance.Scope!.Cgroup is { } cgroup ? SandboxCgroups.OomKills(cgroup) : 0;
            instance.Process = sandbox.Start(Spec(instance.Scope, release.BuildId, release.Settings.GitRepository.RootPath, release.Settings.StartCommand, Environment(instance), instance.Id),
                release.Variables.SecretValues, (stream, line) => Log(instance, stream, line));
        }

        Log(instance, LogStream.System, $"Instance {instance.Id} started: {release.Settings.StartCommand} (port {instance.Port}).");
    }

    /// <summary>An instance's variables: the release's, with PORT set to the port this instance listens on.</summary>
    private static Dictionary<string, string> Environment(LocalInstance instance) =>
        new(instance.Release.Variables.Values, StringComparer.Ordinal) { ["PORT"] = instance.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private Task<bool> CheckAsync(LocalInstance instance, Probe probe, CancellationToken cancellationToken) =>
        probes.CheckAsync(probe, instance.Scope!.Address, instance.Port, async (command, timeout) =>
        {
            // In the instance's network namespace and cgroups, with its folders: a sandbox of its own all the same.
            var release = instance.Release;
            using var process = sandbox.Start(Spec(instance.Scope, release.BuildId, release.Settings.GitRepository.RootPath, command, Environment(instance), "probe"),
                release.Variables.SecretValues, (_, _) => { });
            try
            {
                await process.Exited.WaitAsync(timeout);
                return process.ExitCode == 0;
            }
            finally
            {
                // A probe that outlives its timeout is killed with everything it started.
                await process.KillAsync();
            }
        }, cancellationToken);

    private async Task StopReleaseAsync(LocalRelease release)
    {
        List<LocalInstance> instances;
        lock (release)
        {
            instances = [.. release.Instances];
            release.Instances.Clear();
        }

        await Task.WhenAll(instances.Select(StopInstanceAsync));
    }

    private async Task StopInstanceAsync(LocalInstance instance)
    {
        ChildProcess? process;
        SandboxScope? scope;
        lock (instance)
        {
            // Under the lock LaunchAsync takes: no process can start for this instance after this point.
            instance.Stopping.Cancel();
            instance.State = InstanceState.Stopped;
            (process, scope) = (instance.Process, instance.Scope);
        }

        if (process is not null)
        {
            await process.KillAsync();
            Log(instance, LogStream.System, $"Instance {instance.Id} stopped.");
        }

        if (scope is not null)
        {
            await scope.DisposeAsync();
        }
    }

    private void Log(LocalInstance instance, LogStream stream, string line) =>
        Log(instance.Release.ApplicationId, instance.Release.DeploymentId, instance.Id, stream, line);

    private void Log(Guid applicationId, Guid deploymentId, string source, LogStream stream, string line) =>
        logs.Write(new LogEntry(applicationId, deploymentId, source, stream, line, DateTimeOffset.UtcNow));

    private void Notify(LocalInstance instance, RuntimeNoticeKind kind, string message)
    {
        Log(instance, LogStream.System, message);
        notices.Report(new RuntimeNotice(instance.Release.ApplicationId, kind, message));
    }

    /// <summary>
    /// Sets an application's folder up and answers its git cache. The folder and its builds/ are the portal's (others
    /// pass through, nothing can be planted there); the cache and each build are the application's uid's. A folder an
    /// earlier version gave to the application is taken back first: no process of its uid runs at that point, or any
    /// that does is sandboxed and cannot see it.
    /// </summary>
    private async Task<string> ApplicationFolderAsync(Guid applicationId, RuntimeUser user)
    {
        var folder = sandbox.ApplicationFolder(applicationId);
        await RuntimeIdentities.PassThroughFolderAsync(folder);
        await RuntimeIdentities.PassThroughFolderAsync(Path.Combine(folder, "builds"));
        var cache = Path.Combine(folder, "git.git");
        if (!Directory.Exists(cache))
        {
            await RuntimeIdentities.OwnedFolderAsync(cache, user);
        }

        return cache;
    }

    /// <summary>Where a build lives: its id is "{application}/{deployment}", both plain hex, nothing else.</summary>
    private string BuildFolder(string buildId)
    {
        var parts = buildId.Split('/');
        return IsBuildId(buildId)
            ? Path.Combine(settings.Directory, "apps", parts[0], "builds", parts[1])
            : throw new RuntimeFailureException("Invalid build id.");
    }

    private static bool IsBuildId(string buildId) => buildId.Split('/') is { Length: 2 } parts && parts.All(p => p.Length == 32 && p.All(char.IsAsciiHexDigitLower));

    private static string WorkingDirectory(string folder, string rootPath) => Path.GetFullPath(Path.Combine(folder, rootPath.TrimStart('/')));

    /// <summary>
    /// Keeps the newest builds of an application (and the one that runs) for rollbacks; deletes the rest, each as the
    /// application's uid in a sandbox that shows only that build (<see cref="LocalSandbox.EmptyAndRemoveAsync"/>).
    /// </summary>
    private async Task PruneBuildsAsync(Guid applicationId)
    {
        var folder = Path.Combine(sandbox.ApplicationFolder(applicationId), "builds");
        if (!Directory.Exists(folder) || !_applications.TryGetValue(applicationId, out var application))
        {
            return;
        }

        var live = application.Current?.BuildId.Split('/')[^1];
        var user = identities.For(applicationId);
        foreach (var old in new DirectoryInfo(folder).GetDirectories().Where(d => d.LinkTarget is null)
            .OrderByDescending(d => d.CreationTimeUtc).Skip(settings.KeptBuilds).Where(d => d.Name != live))
        {
            try
            {
                await sandbox.EmptyAndRemoveAsync(user, old.FullName);
            }
            catch (Exception exception) when (exception is IOException or RuntimeFailureException)
            {
                LogPruneFailure(exception, old.FullName);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "An old build could not be deleted: {Folder}")]
    private partial void LogPruneFailure(Exception exception, string folder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Killed {Count} build or instance process(es) left running by a portal that did not stop cleanly")]
    private partial void LogLeftoversKilled(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Supervising instance {Instance} failed")]
    private partial void LogSupervisionFailure(Exception exception, string instance);
}

/// <summary>An application as the local runtime runs it: the live release behind the router, and one being started.</summary>
internal sealed class LocalApplication(Guid id)
{
    public int RoundRobin;

    public Guid Id => id;

    public LocalRelease? Current { get; set; }

    public LocalRelease? Pending { get; set; }

    /// <summary>Consecutive scaling periods with low CPU, before an instance is removed.</summary>
    public int QuietPeriods { get; set; }
}
