using System.Collections.Concurrent;
using Platform.Domain.Access;
using Platform.Domain.Addons;

namespace Platform.Tests.Support;

/// <summary>
/// A stand-in for the dispatch side's <see cref="IAddonDeliveries"/>: records each test notification asked for and
/// answers a new id, sending nothing. Catalogue tests use it to see that "send a test" reaches the delivery path.
/// </summary>
public sealed class RecordingAddonDeliveries : IAddonDeliveries
{
    public ConcurrentQueue<(ProjectAddon Addon, Caller Caller, Guid DeliveryId)> Tests { get; } = new();

    public Task<Guid> QueueTestAsync(ProjectAddon addon, Caller caller, CancellationToken cancellationToken = default)
    {
        var id = Guid.CreateVersion7();
        Tests.Enqueue((addon, caller, id));
        return Task.FromResult(id);
    }
}
