using Platform.Domain.Applications;
using Platform.Domain.Logs;
using Platform.Domain.Runtime;
using Platform.Portal.Infrastructure;
using Platform.Portal.Runtime.Sandbox;

namespace Platform.Portal.Runtime;

/// <summary>
/// Runs and watches the local runtime's instances, each in its sandbox: starts one and, with the same probe loop that
/// then watches it, waits until it is ready; restarts it with back-off when it exits, fails its liveness probe or
/// passes its memory request (each an event); samples its CPU and memory (from its cgroup where it has one, else from
/// its process tree in /proc) and its readiness probe's answer and latency; takes it out of the router while its
/// readiness probe fails; stops it.
/// </summary>
public sealed partial class InstanceSupervisor(
    LocalRuntimeSettings settings,
    RuntimeIdentities identities,
    Probes probes,
    LocalSandbox sandbox,
    LocalBuilds builds,
    ILogSink logs,
    IRuntimeNotices notices,
    ILogger<InstanceSupervisor> logger) : IDisposable
{
    private static readonly TimeSpan WatchPeriod = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StartingPeriod = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan StartingConnectPeriod = TimeSpan.FromMilliseconds(50);
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;

    /// <summary>Starts an instance and waits until its readiness probe passes; throws (and stops it) if it exits first or never gets ready.</summary>
    internal async Task StartReadyAsync(LocalInstance instance, CancellationToken cancellationToken)
    {
        var probe = instance.Release.Readiness;
        // A deployment holds one of the engine's few slots (shared by every tenant) while its instances start: the
        // probe's own budget (up to about 4 days: 3600 + 3600 × 100 + 3600 s) is capped by Runtime:StartTimeoutSeconds.
        var budget = TimeSpan.FromSeconds(Math.Min(settings.StartTimeout.TotalSeconds,
            Math.Max(10, probe.InitialDelaySeconds + ((double)probe.PeriodSeconds * probe.FailureThreshold) + probe.TimeoutSeconds)));
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await LaunchAsync(instance);
            _ = WatchAsync(instance, new FirstStart(ready, DateTimeOffset.UtcNow + budget, budget));
            await ready.Task.WaitAsync(cancellationToken);
        }
        catch
        {
            await StopAsync(instance);
            throw;
        }
    }

    /// <summary>Starts an instance the scaler added and watches it; the router sends it traffic once it is ready.</summary>
    internal async Task AddAsync(LocalInstance instance)
    {
        await LaunchAsync(instance);
        _ = WatchAsync(instance, null);
    }

    internal async Task StopAsync(LocalRelease release)
    {
        List<LocalInstance> instances;
        lock (release)
        {
            instances = [.. release.Instances];
            release.Instances.Clear();
        }

        await Task.WhenAll(instances.Select(StopAsync));
    }

    internal async Task StopAsync(LocalInstance instance)
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

    /// <summary>Ends every watch: the runtime stops.</summary>
    internal Task StopWatchingAsync() => Volatile.Read(ref _disposed) == 0 ? _stopping.CancelAsync() : Task.CompletedTask;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // Watches wait on this token: they end, even when the runtime was disposed before it was stopped.
        _stopping.Cancel();
        _stopping.Dispose();
    }

    /// <summary>A first start, waited for: it succeeds when the instance gets ready, fails when it exits first or the budget runs out.</summary>
    private sealed record FirstStart(TaskCompletionSource Ready, DateTimeOffset Deadline, TimeSpan Budget);

    /// <summary>The one probe loop of an instance, from its first start until the runtime stops it.</summary>
    private async Task WatchAsync(LocalInstance instance, FirstStart? start)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(instance.Stopping.Token, _stopping.Token);
        var token = linked.Token;
        var release = instance.Release;
        var readiness = release.Readiness;
        var liveness = release.Settings.Healthchecks.LivenessProbe;
        var (lastSample, lastCpu) = (DateTimeOffset.UtcNow, 0.0);
        var (nextReadiness, readinessFailures) = (DateTimeOffset.UtcNow.AddSeconds(readiness.InitialDelaySeconds), 0);
        var (nextLiveness, livenessFailures) = (DateTimeOffset.UtcNow.AddSeconds(liveness?.InitialDelaySeconds ?? 0), 0);
        try
        {
            while (!token.IsCancellationRequested)
            {
                try
                {
                    var starting = start is not null && !start.Ready.Task.IsCompleted;
                    var process = instance.Process!;
                    var wait = Wait(instance.State, readiness, nextReadiness - DateTimeOffset.UtcNow);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.WhenAny(process.Exited, Task.Delay(wait, token));
                    }

                    token.ThrowIfCancellationRequested();
                    if (process.HasExited && starting)
                    {
                        start!.Ready.TrySetException(new RuntimeFailureException(
                            $"Instance {instance.Id} exited with code {process.ExitCode} before it was ready. Its log shows why; check the start command."));
                        return;
                    }

                    if (process.HasExited)
                    {
                        var killed = instance.Scope?.Cgroup is { } cgroup && SandboxCgroups.OomKills(cgroup) > instance.OomKillsSeen;
                        await RestartAsync(instance, killed ? RuntimeNoticeKind.OomKilled : RuntimeNoticeKind.InstanceExited, killed
                            ? $"Instance {instance.Id} passed its memory request of {release.Settings.Memory} MB and was killed by the kernel (out of memory)."
                            : $"Instance {instance.Id} exited with code {process.ExitCode}.", token);
                        (lastCpu, readinessFailures, livenessFailures) = (0, 0, 0);
                        (nextReadiness, nextLiveness) = (DateTimeOffset.UtcNow.AddSeconds(readiness.InitialDelaySeconds), DateTimeOffset.UtcNow.AddSeconds(liveness?.InitialDelaySeconds ?? 0));
                        continue;
                    }

                    var now = DateTimeOffset.UtcNow;
                    var (memory, cpu) = instance.Scope?.Cgroup is { } measured && SandboxCgroups.Usage(measured) is { } usage
                        ? usage
                        : ProcessMetrics.Read().Measure(process.Id);
                    instance.CpuCores = lastCpu == 0 ? 0 : Math.Max(0, (cpu - lastCpu) / (now - lastSample).TotalSeconds);
                    instance.MemoryMb = memory;
                    (lastSample, lastCpu) = (now, cpu);
                    if (memory > release.Settings.Memory && !starting)
                    {
                        await RestartAsync(instance, RuntimeNoticeKind.OomKilled,
                            $"Instance {instance.Id} used {memory:0} MB, over its memory request of {release.Settings.Memory} MB, and was killed (out of memory).", token);
                        (lastCpu, readinessFailures, livenessFailures) = (0, 0, 0);
                        continue;
                    }

                    if (now >= nextReadiness)
                    {
                        var timer = System.Diagnostics.Stopwatch.StartNew();
                        var ready = await CheckAsync(instance, readiness, token);
                        instance.LastProbe = new ProbeResult(ready, Math.Round(timer.Elapsed.TotalMilliseconds, 1), DateTimeOffset.UtcNow);
                        readinessFailures = ready ? 0 : readinessFailures + 1;
                        if (ready && instance.State != InstanceState.Ready)
                        {
                            instance.State = InstanceState.Ready;
                            Log(instance, LogStream.System, $"Instance {instance.Id} is ready on port {instance.Port}.");
                            start?.Ready.TrySetResult();
                        }
                        else if (!ready && instance.State == InstanceState.Ready && readinessFailures >= readiness.FailureThreshold)
                        {
                            instance.State = InstanceState.Unhealthy;
                            Notify(instance, RuntimeNoticeKind.InstanceUnhealthy,
                                $"Instance {instance.Id} failed its readiness probe ({Probes.Describe(readiness, instance.Port)}) {readinessFailures} times: it gets no traffic until it passes again.");
                        }

                        nextReadiness = DateTimeOffset.UtcNow + (instance.State == InstanceState.Ready ? TimeSpan.FromSeconds(readiness.PeriodSeconds) : StartingCheckPeriod(instance.State, readiness));
                    }

                    if (starting && instance.State != InstanceState.Ready && DateTimeOffset.UtcNow > start!.Deadline)
                    {
                        start.Ready.TrySetException(new RuntimeFailureException(
                            $"Instance {instance.Id} did not pass its readiness probe ({Probes.Describe(readiness, instance.Port)}) within {start.Budget.TotalSeconds:0} s. Does it listen on the port in $PORT, on all interfaces (0.0.0.0)?"));
                        return;
                    }

                    if (liveness is not null && now >= nextLiveness && instance.State is InstanceState.Ready or InstanceState.Unhealthy)
                    {
                        livenessFailures = await CheckAsync(instance, liveness, token) ? 0 : livenessFailures + 1;
                        nextLiveness = now.AddSeconds(liveness.PeriodSeconds);
                        if (livenessFailures >= liveness.FailureThreshold)
                        {
                            await RestartAsync(instance, RuntimeNoticeKind.LivenessFailed,
                                $"Instance {instance.Id} failed its liveness probe ({Probes.Describe(liveness, instance.Port)}) {livenessFailures} times.", token);
                            (lastCpu, readinessFailures, livenessFailures) = (0, 0, 0);
                            nextLiveness = DateTimeOffset.UtcNow.AddSeconds(liveness.InitialDelaySeconds);
                        }
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // One failed round (a launch that failed, a probe that threw) must not end supervision: report it, wait, go on.
                    LogWatchFailure(exception, instance.Id);
                    await Task.Delay(TimeSpan.FromSeconds(5), token);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            start?.Ready.TrySetCanceled(token);
        }
    }

    /// <summary>
    /// How long a watch round waits before it looks at the instance: a ready one every second; one not ready yet
    /// (starting, restarted, unhealthy) until its next readiness check is due, at most <see cref="StartingCheckPeriod"/>,
    /// and not at all when the check is due now. So the first check comes as soon as the process runs (unless the
    /// probe asks for an initial delay): it used to wait a full 250 ms round first, and every round after, which made
    /// an application that listens after 1 s RUNNING up to 250 ms later than it could be.
    /// </summary>
    internal static TimeSpan Wait(InstanceState state, Probe readiness, TimeSpan untilReadinessCheck) =>
        state == InstanceState.Ready ? WatchPeriod : TimeSpan.FromTicks(Math.Clamp(untilReadinessCheck.Ticks, 0, StartingCheckPeriod(state, readiness).Ticks));

    /// <summary>
    /// Between readiness checks while an instance is not ready: 50 ms while it starts with a TCP or HTTP probe (a
    /// connection attempt to the instance, nothing more); 250 ms for a command probe, which starts a sandboxed process
    /// each time, and for an instance that was ready and is unhealthy now (it may stay so for long).
    /// </summary>
    internal static TimeSpan StartingCheckPeriod(InstanceState state, Probe readiness) =>
        state == InstanceState.Starting && readiness.Type != ProbeType.Command ? StartingConnectPeriod : StartingPeriod;

    /// <summary>Kills what is left of the instance, waits its back-off (1 s, doubling up to 30 s), and starts it again.</summary>
    private async Task RestartAsync(LocalInstance instance, RuntimeNoticeKind kind, string reason, CancellationToken token)
    {
        instance.State = InstanceState.Restarting;
        instance.Restarts++;
        var delay = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, Math.Min(instance.Restarts - 1, 5))));
        Notify(instance, kind, $"{reason} Restarting it in {delay.TotalSeconds:0} s (restart {instance.Restarts}).");
        await instance.Process!.KillAsync();
        await Task.Delay(delay, token);
        await LaunchAsync(instance);
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
            var port = sandbox.Isolation == RuntimeIsolation.Sandbox ? release.Settings.Port : FreePorts.Next();
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
            instance.Process = sandbox.Start(builds.Spec(instance.Scope, release.BuildId, release.Settings.GitRepository.RootPath, release.Settings.StartCommand, Environment(instance), instance.Id),
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
            using var process = sandbox.Start(builds.Spec(instance.Scope, release.BuildId, release.Settings.GitRepository.RootPath, command, Environment(instance), "probe"),
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

    internal void Notify(LocalInstance instance, RuntimeNoticeKind kind, string message, int? instances = null)
    {
        Log(instance, LogStream.System, message);
        notices.Report(new RuntimeNotice(instance.Release.ApplicationId, kind, message, instances, instance.Release.DeploymentId));
    }

    private void Log(LocalInstance instance, LogStream stream, string line) =>
        logs.Write(new LogEntry(instance.Release.ApplicationId, instance.Release.DeploymentId, instance.Id, stream, line, DateTimeOffset.UtcNow));

    [LoggerMessage(Level = LogLevel.Error, Message = "Supervising instance {Instance} failed")]
    private partial void LogWatchFailure(Exception exception, string instance);
}
