using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;

namespace Platform.Domain.Common;

/// <summary>
/// Collects, as any context's save starts, what must happen once that save is committed, and does it after the
/// commit: the save's own, or the surrounding transaction's. A failed save or a rollback drops it, so nothing
/// rolled back is ever acted on. What is pending is kept per unit of commit — the save's transaction, or the context
/// for a save outside one — so a transaction disposed without a commit or a rollback takes its pending work with it,
/// and a pooled context handed out again starts with nothing of its previous use.
/// </summary>
/// <typeparam name="TPending">What is kept per context between the save and the commit.</typeparam>
public abstract class AfterCommitInterceptor<TPending> : ISaveChangesInterceptor, IDbTransactionInterceptor
    where TPending : class
{
    private readonly ConditionalWeakTable<object, TPending> _pending = new();

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Keep(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Keep(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        ActUnlessInTransaction(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        ActUnlessInTransaction(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => Discard(UnitOf(eventData.Context));

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Discard(UnitOf(eventData.Context));
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Act(transaction);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Act(transaction);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Discard(transaction);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Discard(transaction);
        return Task.CompletedTask;
    }

    /// <summary>Called as a save starts (it may add entities to the save): what to do after commit, joined to what the context already holds, or null for nothing.</summary>
    protected abstract TPending? Collect(DbContext context, TPending? already);

    /// <summary>Called once the save is committed, on the committing thread: must not block.</summary>
    protected abstract void AfterCommit(TPending pending);

    /// <summary>The save's unit of commit: its transaction when it runs in one, the context otherwise.</summary>
    private static object? UnitOf(DbContext? context) => context?.Database.CurrentTransaction?.GetDbTransaction() ?? (object?)context;

    private void Keep(DbContext? context)
    {
        if (context is null || UnitOf(context) is not { } unit)
        {
            return;
        }

        _pending.TryGetValue(unit, out var already);
        if (Collect(context, already) is { } pending)
        {
            _pending.AddOrUpdate(unit, pending);
        }
    }

    private void ActUnlessInTransaction(DbContext? context)
    {
        if (context is not null && context.Database.CurrentTransaction is null)
        {
            Act(context);
        }
    }

    private void Act(object unit)
    {
        if (!_pending.TryGetValue(unit, out var pending))
        {
            return;
        }

        _pending.Remove(unit);
        AfterCommit(pending);
    }

    private void Discard(object? unit)
    {
        if (unit is not null)
        {
            _pending.Remove(unit);
        }
    }
}
