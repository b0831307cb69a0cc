using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Platform.Domain.Events;

namespace Platform.Domain.Addons;

/// <summary>
/// Writes an outbox entry for each event addons hear about, in the save that adds the event, so the engine's only
/// part in delivery is one more row in its own transaction; once committed, it wakes the dispatcher. No query here:
/// whether an addon wants the event is the dispatcher's question, off the engine's path.
/// </summary>
public sealed class AddonOutboxInterceptor(AddonDispatchSignal signal) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, object> _pending = new();

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        AddEntries(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        AddEntries(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        WakeUnlessInTransaction(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        WakeUnlessInTransaction(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => Discard(eventData.Context);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Discard(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Wake(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Wake(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Discard(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Discard(eventData.Context);
        return Task.CompletedTask;
    }

    private void AddEntries(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        var heard = context.ChangeTracker.Entries<PlatformEvent>()
            .Where(e => e.State == EntityState.Added && AddonNotices.Hears(e.Entity))
            .Select(e => e.Entity).ToList();
        if (heard.Count == 0)
        {
            return;
        }

        // A save that failed and is tried again must not add the entry twice.
        var queued = context.ChangeTracker.Entries<AddonOutboxEntry>().Select(e => e.Entity.EventId).ToHashSet();
        foreach (var e in heard.Where(e => !queued.Contains(e.Id)))
        {
            context.Add(new AddonOutboxEntry { EventId = e.Id, CreatedAt = e.CreatedAt });
        }

        _pending.AddOrUpdate(context, this);
    }

    private void WakeUnlessInTransaction(DbContext? context)
    {
        if (context?.Database.CurrentTransaction is null)
        {
            Wake(context);
        }
    }

    private void Wake(DbContext? context)
    {
        if (context is not null && _pending.TryGetValue(context, out _))
        {
            _pending.Remove(context);
            signal.Wake();
        }
    }

    private void Discard(DbContext? context)
    {
        if (context is not null)
        {
            _pending.Remove(context);
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
