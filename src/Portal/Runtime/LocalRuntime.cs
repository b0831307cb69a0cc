using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Platform.Domain.Applications;
using Platform.Domain.Logs;
using Platform.Domain.Runtime;
using Platform.Domain.Services;

namespace Platform.Portal.Runtime;

/// <summary>
/// The embedded runtime: builds applications from git on this host and runs them as supervised child processes
/// behind the portal's router; databases are created on a PostgreSQL server (<see cref="LocalDatabaseServer"/>).
/// </summary>
public sealed partial class LocalRuntime(
    LocalRuntimeSettings settings,
    RuntimeIdentities identities,
    GitSources git,
    Probes probes,
    LocalDatabaseServer databases,
    RouterAddress router,
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

    public async Task<FetchedSource> FetchAsync(FetchOrder order, CancellationToken cancellationToken)
    {
        var buildId = $"{order.ApplicationId:N}/{order.DeploymentId:N}";
        var folder = BuildFolder(buildId);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        var user = identities.For(order.ApplicationId);
        var commit = await git.FetchAsync(order.ApplicationId, order.Source, order.CommitId, ApplicationFolder(order.ApplicationId, user), folder, user,
            line => Log(order.ApplicationId, order.DeploymentId, "build", LogStream.System, line), cancellationToken);
        return new FetchedSource(commit, buildId);
    }

    public async Task BuildAsync(BuildOrder order, CancellationToken cancellationToken)
    {
        var folder = BuildFolder(order.BuildId);
        var workingDirectory = WorkingDirectory(folder, order.RootPath);
        if (!Directory.Exists(workingDirectory))
        {
            throw new RuntimeFailureException($"The root path {order.RootPath} does not exist in this commit.");
        }

        if (order.BuildCommand is null)
        {
            Log(order.ApplicationId, order.DeploymentId, "build", LogStream.System, "No build command: the source runs as fetched.");
            return;
        }

        Log(order.ApplicationId, order.DeploymentId, "build", LogStream.System, $"Running the build command: {order.BuildCommand}");
        using var process = ChildProcess.Start(order.BuildCommand, workingDirectory, order.Variables.Values, order.Variables.SecretValues, identities.For(order.ApplicationId),
            (stream, line) => Log(order.ApplicationId, order.DeploymentId, "build", stream, line));
        ledger.Track(process);
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
            throw new RuntimeFailureException($"The build command exited with code {process.ExitCode}.");
        }
    }

    public bool HasBuild(string buildId) => Directory.Exists(BuildFolder(buildId));

    public async Task StartAsync(ReleaseOrder order, CancellationToken cancellationToken)
    {
        var application = _applications.GetOrAdd(order.ApplicationId, id => new LocalApplication(id));
        var folder = BuildFolder(order.BuildId);
        var release = new LocalRelease(order.ApplicationId, order.DeploymentId, order.BuildId, WorkingDirectory(folder, order.Settings.GitRepository.RootPath), order.Settings, order.Variables);
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
            await DiscardAsync(order.ApplicationId, order.DeploymentId);
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

        PruneBuilds(applicationId);
    }

    public async Task DiscardAsync(Guid applicationId, Guid deploymentId)
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

    public ApplicationSnapshot? Observe(Guid applicationId)
    {
        if (!_applications.TryGetValue(applicationId, out var application) || application.Current is not { } current)
        {
            return null;
        }

        lock (current)
        {
            return new ApplicationSnapshot(applicationId, current.DeploymentId, current.Instances.Count, current.Instances.Select(i => i.Snapshot()).ToList());
        }
    }

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

    Task IHostedService.StartAsync(CancellationToken cancellationToken)
    {
        // Made once: every application's user passes through these to its own private folder.
        RuntimeIdentities.PassThroughFolder(settings.Directory);
        RuntimeIdentities.PassThroughFolder(Path.Combine(settings.Directory, "apps"));
        git.WriteConfiguration();
        if (ledger.KillLeftovers() is > 0 and var killed)
        {
            LogLeftoversKilled(killed);
        }

        _scaling = ScaleAsync(_stopping.Token);
        return Task.CompletedTask;
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
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>Starts an instance's process and waits until its readiness probe passes; throws if it exits or never gets ready.</summary>
    private async Task StartReadyAsync(LocalInstance instance, CancellationToken cancellationToken)
    {
        Launch(instance);
        var probe = instance.Release.Readiness;
        var budget = TimeSpan.FromSeconds(Math.Max(10, probe.InitialDelaySeconds + (probe.PeriodSeconds * probe.FailureThreshold) + probe.TimeoutSeconds));
        var deadline = DateTimeOffset.UtcNow + budget;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(probe.InitialDelaySeconds), cancellationToken);
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
                        $"Instance {instance.Id} did not pass its readiness probe ({Probes.Describe(probe, instance.Port)}) within {budget.TotalSeconds:0} s. Does it listen on the port in $PORT?");
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

    /// <summary>Starts (or starts again) an instance's process, unless the runtime stopped the instance meanwhile.</summary>
    private void Launch(LocalInstance instance)
    {
        var release = instance.Release;
        lock (instance)
        {
            instance.Stopping.Token.ThrowIfCancellationRequested();
            instance.Port = FreePort();
            instance.State = InstanceState.Starting;
            instance.Process?.Dispose();
            instance.Process = ChildProcess.Start(release.Settings.StartCommand, release.WorkingDirectory, Environment(instance), release.Variables.SecretValues,
                identities.For(release.ApplicationId), (stream, line) => Log(instance, stream, line));
            ledger.Track(instance.Process);
        }

        Log(instance, LogStream.System, $"Instance {instance.Id} started: {release.Settings.StartCommand} (port {instance.Port}).");
    }

    /// <summary>An instance's variables: the release's, with PORT set to the port this instance listens on.</summary>
    private static Dictionary<string, string> Environment(LocalInstance instance) =>
        new(instance.Release.Variables.Values, StringComparer.Ordinal) { ["PORT"] = instance.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private Task<bool> CheckAsync(LocalInstance instance, Probe probe, CancellationToken cancellationToken) =>
        probes.CheckAsync(probe, instance.Port, async (command, timeout) =>
        {
            var release = instance.Release;
            using var process = ChildProcess.Start(command, release.WorkingDirectory, Environment(instance), release.Variables.SecretValues,
                identities.For(release.ApplicationId), (_, _) => { });
            ledger.Track(process);
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
        lock (instance)
        {
            // Under the lock Launch takes: no process can start for this instance after this point.
            instance.Stopping.Cancel();
            instance.State = InstanceState.Stopped;
            process = instance.Process;
        }

        if (process is not null)
        {
            await process.KillAsync();
            Log(instance, LogStream.System, $"Instance {instance.Id} stopped.");
        }
    }

    private void Log(LocalInstance instance, LogStream stream, string line) =>
        Log(instance.Release.ApplicationId, instance.Release.DeploymentId, instance.Id, stream, line);

    private void Log(Guid applicationId, Guid deploymentId, string source, LogStream stream, string line) =>
        logs.Write(new LogEntry(applicationId, deploymentId, source, stream, line, DateTimeOffset.UtcNow));

    private void Notify(LocalInstance instance, string state, SimpleState simpleState, string message)
    {
        Log(instance, LogStream.System, message);
        notices.Report(new RuntimeNotice(instance.Release.ApplicationId, state, simpleState, message));
    }

    /// <summary>An application's private folder (its git cache and builds), entered only by its user.</summary>
    private string ApplicationFolder(Guid applicationId, RuntimeUser user) =>
        identities.PrivateFolder(Path.Combine(settings.Directory, "apps", applicationId.ToString("N")), user).FullName;

    /// <summary>Where a build lives: its id is "{application}/{deployment}", both plain hex, nothing else.</summary>
    private string BuildFolder(string buildId)
    {
        var parts = buildId.Split('/');
        return parts.Length == 2 && parts.All(p => p.Length == 32 && p.All(char.IsAsciiHexDigitLower))
            ? Path.Combine(settings.Directory, "apps", parts[0], "builds", parts[1])
            : throw new RuntimeFailureException("Invalid build id.");
    }

    private static string WorkingDirectory(string folder, string rootPath) => Path.GetFullPath(Path.Combine(folder, rootPath.TrimStart('/')));

    /// <summary>Keeps the newest builds of an application (and the one that runs) for rollbacks; deletes the rest.</summary>
    private void PruneBuilds(Guid applicationId)
    {
        var folder = Path.Combine(settings.Directory, "apps", applicationId.ToString("N"), "builds");
        if (!Directory.Exists(folder) || !_applications.TryGetValue(applicationId, out var application))
        {
            return;
        }

        var live = application.Current?.BuildId.Split('/')[^1];
        foreach (var old in new DirectoryInfo(folder).GetDirectories().OrderByDescending(d => d.CreationTimeUtc).Skip(settings.KeptBuilds).Where(d => d.Name != live))
        {
            try
            {
                old.Delete(recursive: true);
            }
            catch (IOException exception)
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
