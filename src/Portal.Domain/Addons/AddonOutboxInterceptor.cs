using Microsoft.EntityFrameworkCore;
using Platform.Domain.Common;
using Platform.Domain.Events;

namespace Platform.Domain.Addons;

/// <summary>
/// Writes an outbox entry for each event addons hear about, in the save that adds the event, so the engine's only
/// part in delivery is one more row in its own transaction; once committed, it wakes the dispatcher. No query here:
/// whether an addon wants the event is the dispatcher's question, off the engine's path.
/// </summary>
public sealed class AddonOutboxInterceptor(AddonDispatchSignal signal) : AfterCommitInterceptor<AddonOutboxInterceptor.Heard>
{
    protected override Heard? Collect(DbContext context, Heard? already)
    {
        var heard = context.ChangeTracker.Entries<PlatformEvent>()
            .Where(e => e.State == EntityState.Added && AddonNotices.Hears(e.Entity))
            .Select(e => e.Entity).ToList();
        if (heard.Count == 0)
        {
            return already;
        }

        // A save that failed and is tried again must not add the entry twice.
        var queued = context.ChangeTracker.Entries<AddonOutboxEntry>().Select(e => e.Entity.EventId).ToHashSet();
        foreach (var e in heard.Where(e => !queued.Contains(e.Id)))
        {
            context.Add(new AddonOutboxEntry { EventId = e.Id, CreatedAt = e.CreatedAt });
        }

        return Heard.Once;
    }

    protected override void AfterCommit(Heard pending) => signal.Wake();

    /// <summary>That the save wrote outbox entries: the dispatcher reads them all, so nothing more is kept.</summary>
    public sealed class Heard
    {
        public static readonly Heard Once = new();

        private Heard()
        {
        }
    }
}

/// <summary>How committed outbox entries wake the dispatcher at once, rather than at its next poll.</summary>
public sealed class AddonDispatchSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken: one round reads every entry there is.
        }
    }

    /// <summary>Waits for a wake or the poll's period, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan period, CancellationToken cancellationToken) => await _signal.WaitAsync(period, cancellationToken);

    public void Dispose() => _signal.Dispose();
}
