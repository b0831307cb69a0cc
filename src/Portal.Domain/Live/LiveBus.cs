using System.Collections.Concurrent;
using Platform.Domain.Events;
using Platform.Domain.Logs;

namespace Platform.Domain.Live;

/// <summary>Something that changed, for whoever watches an environment or a service live.</summary>
public abstract record LiveMessage(Guid OrganizationId, Guid? EnvironmentId, Guid? ServiceId);

/// <summary>Events were committed (every status change is one).</summary>
public sealed record EventsAdded(Guid OrganizationId, Guid? EnvironmentId, Guid? ServiceId, IReadOnlyList<PlatformEvent> Events)
    : LiveMessage(OrganizationId, EnvironmentId, ServiceId);

/// <summary>A deployment moved on (queued, a step started or ended, finished).</summary>
public sealed record DeploymentChanged(Guid OrganizationId, Guid? EnvironmentId, Guid? ServiceId, Guid EnvironmentDeploymentId)
    : LiveMessage(OrganizationId, EnvironmentId, ServiceId);

/// <summary>Log lines of one service were stored.</summary>
public sealed record LogsAdded(Guid OrganizationId, Guid? EnvironmentId, Guid? ServiceId, IReadOnlyList<LogLine> Lines)
    : LiveMessage(OrganizationId, EnvironmentId, ServiceId);

/// <summary>The sampler stored a sample of a running application: its scale and instances as they are now.</summary>
public sealed record MetricsSampled(
    Guid OrganizationId, Guid? EnvironmentId, Guid? ServiceId, DateTimeOffset At, Metrics.CurrentScale Scale, IReadOnlyList<Metrics.InstanceMetrics> Instances)
    : LiveMessage(OrganizationId, EnvironmentId, ServiceId);

/// <summary>A delivery of an addon was queued or one of its attempts ended: the project's delivery log changed.</summary>
public sealed record AddonDeliveryChanged(Guid OrganizationId, Guid ProjectId, Guid DeliveryId)
    : LiveMessage(OrganizationId, null, null);

/// <summary>How the domain announces committed changes; it never knows who listens (the hub, the live pages).</summary>
public interface ILiveNotifier
{
    void Publish(LiveMessage message);
}

/// <summary>
/// The in-process bus state changes are published on (PRODUCT.md section 2): the domain publishes after commit;
/// the SignalR hub and the live pages subscribe. Handlers run on the publisher's thread and must not block: they
/// hand work to their own loop or to the renderer.
/// </summary>
public sealed partial class LiveBus(Microsoft.Extensions.Logging.ILogger<LiveBus> logger) : ILiveNotifier
{
    private readonly ConcurrentDictionary<Guid, Action<LiveMessage>> _subscribers = new();

    public IDisposable Subscribe(Action<LiveMessage> handler)
    {
        var id = Guid.NewGuid();
        _subscribers[id] = handler;
        return new Subscription(() => _subscribers.TryRemove(id, out _));
    }

    public void Publish(LiveMessage message)
    {
        foreach (var handler in _subscribers.Values)
        {
            try
            {
                handler(message);
            }
            catch (ObjectDisposedException)
            {
                // A page went away while the message was on its way.
            }
            catch (Exception exception)
            {
                // A subscriber's failure is its own: the publisher (a commit, the log writer) goes on.
                LogSubscriberFailure(exception, message.GetType().Name);
            }
        }
    }

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "A live subscriber failed on a {Message}")]
    private partial void LogSubscriberFailure(Exception exception, string message);

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                dispose();
            }
        }
    }
}
