using Platform.Domain.Runtime;

namespace Platform.Portal.Runtime;

/// <summary>
/// Every period (Runtime:ScalingPeriodSeconds), moves each application between its min and max instances on the
/// average CPU of its ready instances (<see cref="ScalingRule"/>), each change an event.
/// </summary>
public sealed partial class Autoscaler(LocalRuntimeSettings settings, LocalApplications applications, InstanceSupervisor supervisor, ILogger<Autoscaler> logger)
{
    /// <summary>Scale up above this share of the requested CPU (averaged over ready instances), down below the other.</summary>
    private const double ScaleUpAt = ScalingRule.UpAt, ScaleDownAt = ScalingRule.DownAt;

    public async Task RunAsync(CancellationToken token)
    {
        try
        {
            while (!token.IsCancellationRequested)
            {
                await Task.Delay(settings.ScalingPeriod, token);
                foreach (var application in applications.All)
                {
                    try
                    {
                        await ScaleAsync(application);
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException)
                    {
                        LogScalingFailure(exception, application.Id);
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

        var requested = release.Settings;
        var average = ready.Average(i => i.CpuCores);
        var decision = ScalingRule.Decide(average, requested.Cpu, instances.Count, requested.MinRunningInstances, requested.MaxRunningInstances, application.QuietPeriods);
        application.QuietPeriods = decision.QuietPeriods;
        if (decision.Change > 0)
        {
            var added = release.AddInstance();
            await supervisor.AddAsync(added);
            if (application.Current != release)
            {
                // Stopped or replaced while it was being added: it must not outlive its release.
                await supervisor.StopAsync(added);
                return;
            }

            supervisor.Notify(added, RuntimeNoticeKind.ScaledUp,
                $"CPU averaged {average:0.##} cores per instance, over {ScaleUpAt:P0} of the {requested.Cpu} requested: added instance {added.Id} ({instances.Count + 1} now).", instances.Count + 1);
        }
        else if (decision.Change < 0)
        {
            var removed = instances[^1];
            lock (release)
            {
                release.Instances.Remove(removed);
            }

            await supervisor.StopAsync(removed);
            supervisor.Notify(removed, RuntimeNoticeKind.ScaledDown,
                $"CPU stayed under {ScaleDownAt:P0} of the {requested.Cpu} cores requested: removed instance {removed.Id} ({instances.Count - 1} now).", instances.Count - 1);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Scaling application {Application} failed")]
    private partial void LogScalingFailure(Exception exception, Guid application);
}

/// <summary>The autoscaling decision, apart from processes so it can be tested on its own.</summary>
public static class ScalingRule
{
    public const double UpAt = 0.8, DownAt = 0.2;

    /// <summary>Quiet periods in a row before scaling down, so one idle moment does not remove an instance.</summary>
    public const int QuietPeriodsBeforeScaleDown = 3;

    public static (int Change, int QuietPeriods) Decide(double averageCores, double requestedCores, int count, int min, int max, int quietPeriods)
    {
        if (averageCores > UpAt * requestedCores && count < max)
        {
            return (1, 0);
        }

        if (averageCores < DownAt * requestedCores && count > Math.Max(1, min))
        {
            return quietPeriods + 1 >= QuietPeriodsBeforeScaleDown ? (-1, 0) : (0, quietPeriods + 1);
        }

        return (0, 0);
    }
}
