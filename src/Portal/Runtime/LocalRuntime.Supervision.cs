using Platform.Domain.Runtime;
using Platform.Portal.Runtime.Sandbox;

namespace Platform.Portal.Runtime;

public sealed partial class LocalRuntime
{
    /// <summary>Scale up above this share of the requested CPU (averaged over ready instances), down below the other.</summary>
    private const double ScaleUpAt = 0.8, ScaleDownAt = 0.2;

    /// <summary>
    /// Watches one instance until the runtime stops it: restarts it with back-off when it exits, fails its liveness
    /// probe or passes its memory request (each an event), samples its CPU and memory, and takes it out of the
    /// router while its readiness probe fails.
    /// </summary>
    private async Task SuperviseAsync(LocalInstance instance)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(instance.Stopping.Token, _stopping.Token);
        var token = linked.Token;
        var release = instance.Release;
        var readiness = release.Readiness;
        var liveness = release.Settings.Healthchecks.LivenessProbe;
        var (lastSample, lastCpu) = (DateTimeOffset.UtcNow, 0.0);
        var (nextReadiness, readinessFailures) = (DateTimeOffset.UtcNow, 0);
        var (nextLiveness, livenessFailures) = (DateTimeOffset.UtcNow.AddSeconds(liveness?.InitialDelaySeconds ?? 0), 0);
        try
        {
            while (!token.IsCancellationRequested)
            {
                try
                {
                    var process = instance.Process!;
                    await Task.WhenAny(process.Exited, Task.Delay(SupervisionPeriod, token));
                    token.ThrowIfCancellationRequested();
                    if (process.HasExited && instance.Scope?.Cgroup is { } cgroup && SandboxCgroups.OomKills(cgroup) > instance.OomKillsSeen)
                    {
                        await RestartAsync(instance, RuntimeNoticeKind.OomKilled,
                            $"Instance {instance.Id} passed its memory request of {release.Settings.Memory} MB and was killed by the kernel (out of memory).", token);
                        (lastCpu, readinessFailures, livenessFailures) = (0, 0, 0);
                        continue;
                    }

                    if (process.HasExited)
                    {
                        await RestartAsync(instance, RuntimeNoticeKind.InstanceExited, $"Instance {instance.Id} exited with code {process.ExitCode}.", token);
                        (lastCpu, readinessFailures, livenessFailures) = (0, 0, 0);
                        nextLiveness = DateTimeOffset.UtcNow.AddSeconds(liveness?.InitialDelaySeconds ?? 0);
                        continue;
                    }

                    var now = DateTimeOffset.UtcNow;
                    var (memory, cpu) = ProcessMetrics.Read().Measure(process.Id);
                    instance.CpuCores = lastCpu == 0 ? 0 : Math.Max(0, (cpu - lastCpu) / (now - lastSample).TotalSeconds);
                    instance.MemoryMb = memory;
                    (lastSample, lastCpu) = (now, cpu);
                    if (memory > release.Settings.Memory)
                    {
                        await RestartAsync(instance, RuntimeNoticeKind.OomKilled,
                            $"Instance {instance.Id} used {memory:0} MB, over its memory request of {release.Settings.Memory} MB, and was killed (out of memory).", token);
                        (lastCpu, readinessFailures, livenessFailures) = (0, 0, 0);
                        continue;
                    }

                    if (now >= nextReadiness)
                    {
                        var ready = await CheckAsync(instance, readiness, token);
                        readinessFailures = ready ? 0 : readinessFailures + 1;
                        if (ready && instance.State != InstanceState.Ready)
                        {
                            instance.State = InstanceState.Ready;
                            Log(instance, Domain.Logs.LogStream.System, $"Instance {instance.Id} is ready on port {instance.Port}.");
                        }
                        else if (!ready && instance.State == InstanceState.Ready && readinessFailures >= readiness.FailureThreshold)
                        {
                            instance.State = InstanceState.Unhealthy;
                            Notify(instance, RuntimeNoticeKind.InstanceUnhealthy,
                                $"Instance {instance.Id} failed its readiness probe ({Probes.Describe(readiness, instance.Port)}) {readinessFailures} times: it gets no traffic until it passes again.");
                        }

                        nextReadiness = now + (instance.State == InstanceState.Ready ? TimeSpan.FromSeconds(readiness.PeriodSeconds) : TimeSpan.FromMilliseconds(500));
                    }

                    if (liveness is not null && now >= nextLiveness && instance.State != InstanceState.Starting)
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
                    LogSupervisionFailure(exception, instance.Id);
                    await Task.Delay(TimeSpan.FromSeconds(5), token);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

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

    /// <summary>Every period, moves each application between its min and max instances on the average CPU of its ready instances.</summary>
    private async Task ScaleAsync(CancellationToken token)
    {
        try
        {
            while (!token.IsCancellationRequested)
            {
                await Task.Delay(settings.ScalingPeriod, token);
                foreach (var application in _applications.Values)
                {
                    try
                    {
                        await ScaleAsync(application);
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException)
                    {
                        LogSupervisionFailure(exception, $"scaling of {application.Id}");
                    }
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private async Task ScaleAsync(LocalApplication application)
    {
        if (application.Current is not { } release)
        {
            return;
        }

        List<LocalInstance> instances;
        lock (release)
        {
            instances = [.. release.Instances];
        }

        var ready = instances.Where(i => i.State == InstanceState.Ready).ToList();
        if (ready.Count == 0)
        {
            return;
        }

        var settings = release.Settings;
        var average = ready.Average(i => i.CpuCores);
        var decision = ScalingRule.Decide(average, settings.Cpu, instances.Count, settings.MinRunningInstances, settings.MaxRunningInstances, application.QuietPeriods);
        application.QuietPeriods = decision.QuietPeriods;
        if (decision.Change > 0)
        {
            var added = new LocalInstance(release.NextInstanceId(), release);
            lock (release)
            {
                release.Instances.Add(added);
            }

            await LaunchAsync(added);
            if (application.Current != release)
            {
                // Stopped or replaced while it was being added: it must not outlive its release.
                await StopInstanceAsync(added);
                return;
            }

            _ = SuperviseAsync(added);
            Notify(added, RuntimeNoticeKind.ScaledUp,
                $"CPU averaged {average:0.##} cores per instance, over {ScaleUpAt:P0} of the {settings.Cpu} requested: added instance {added.Id} ({instances.Count + 1} now).");
        }
        else if (decision.Change < 0)
        {
            var removed = instances[^1];
            lock (release)
            {
                release.Instances.Remove(removed);
            }

            await StopInstanceAsync(removed);
            Notify(removed, RuntimeNoticeKind.ScaledDown,
                $"CPU stayed under {ScaleDownAt:P0} of the {settings.Cpu} cores requested: removed instance {removed.Id} ({instances.Count - 1} now).");
        }
    }
}

/// <summary>The autoscaling decision, apart from processes so it can be tested on its own.</summary>
public static class ScalingRule
{
    /// <summary>Quiet periods in a row before scaling down, so one idle moment does not remove an instance.</summary>
    public const int QuietPeriodsBeforeScaleDown = 3;

    public static (int Change, int QuietPeriods) Decide(double averageCores, double requestedCores, int count, int min, int max, int quietPeriods)
    {
        if (averageCores > 0.8 * requestedCores && count < max)
        {
            return (1, 0);
        }

        if (averageCores < 0.2 * requestedCores && count > Math.Max(1, min))
        {
            return quietPeriods + 1 >= QuietPeriodsBeforeScaleDown ? (-1, 0) : (0, quietPeriods + 1);
        }

        return (0, 0);
    }
}
