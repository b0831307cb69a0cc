using Hangfire;
using Microsoft.AspNetCore.Hosting.Server;
using Platform.Domain.Addons;
using Platform.Portal.Infrastructure;

namespace Platform.Portal.Addons;

/// <summary>
/// Turns the outbox into deliveries and their jobs: woken after each commit that wrote an entry, and polling for what
/// a restart left (entries, pending attempts no job claimed, attempts a stop interrupted). Runs beside the engine,
/// never on its path: a slow or failing receiver cannot hold a deployment back.
/// </summary>
public sealed partial class AddonDispatcher(
    AddonDeliveryStore store, AddonDispatchSignal signal, IBackgroundJobClient jobs, PortalLinks links, IServer server, ILogger<AddonDispatcher> logger)
    : BackgroundService
{
    public static readonly TimeSpan PollPeriod = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RoundAsync(stoppingToken);
                await signal.WaitAsync(PollPeriod, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The database may be away for a moment: an exception leaving a background service would stop the portal.
                LogRoundFailure(exception);
                await Task.Delay(PollPeriod, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task RoundAsync(CancellationToken cancellationToken)
    {
        var portal = links.ForBackground(server);
        int taken;
        do
        {
            (var attempts, taken) = await store.ExpandOutboxAsync(portal, cancellationToken);
            foreach (var attempt in attempts)
            {
                AddonDeliveryJob.Enqueue(jobs, attempt);
            }
        }
        while (taken == AddonDeliveryStore.BatchSize);

        foreach (var attempt in await store.SweepAsync(cancellationToken))
        {
            AddonDeliveryJob.Enqueue(jobs, attempt);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A round of the addon dispatcher failed; it tries again at its next poll")]
    private partial void LogRoundFailure(Exception exception);
}

/// <summary>The test notification: a TEST delivery through the same job, retries and log as any other.</summary>
public sealed class AddonDeliveries(AddonDeliveryStore store, IBackgroundJobClient jobs, PortalLinks links, IServer server) : IAddonDeliveries
{
    public async Task<Guid> QueueTestAsync(ProjectAddon addon, Platform.Domain.Access.Caller caller, CancellationToken cancellationToken = default)
    {
        var attempt = await store.AddTestAsync(addon, links.ForBackground(server), cancellationToken);
        AddonDeliveryJob.Enqueue(jobs, attempt);
        return attempt.DeliveryId;
    }
}
