using Platform.Domain.Access;

namespace Platform.Domain.Addons;

/// <summary>
/// Where deliveries are queued and sent (the dispatch side, behind the catalogue's service): the catalogue's
/// "send a test notification" goes through the same path as a real event, retries and log included.
/// </summary>
public interface IAddonDeliveries
{
    /// <summary>Queues a TEST notification to an installed addon; answers the delivery's id.</summary>
    Task<Guid> QueueTestAsync(ProjectAddon addon, Caller caller, CancellationToken cancellationToken = default);
}
