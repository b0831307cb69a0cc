using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Platform.Domain.Common;

/// <summary>
/// Collects, as any context's save starts, what must happen once that save is committed, and does it after the
/// commit: the save's own, or the surrounding transaction's. A failed or canceled save or a rollback drops it, so
/// nothing rolled back is ever acted on. What is pending is kept per context, with the unit of commit it waits for:
/// the EF Core transaction the save ran in (by its id, new for every transaction), or none for a save outside one.
/// A transaction disposed without a commit or a rollback, or a save that neither completed nor failed, leaves work
/// for a unit that will never commit: the context's next save (a pooled context's next user's) starts afresh. Nothing
/// is keyed by the provider's transaction object, which Npgsql hands out again for every transaction of a physical
/// connection, whichever context (whichever tenant's operation) begins it.
/// </summary>
/// <typeparam name="TPending">What is kept per unit of commit between the save and the commit.</typeparam>
public abstract class AfterCommitInterceptor<TPending> : ISaveChangesInterceptor, IDbTransactionInterceptor
    where TPending : class
{
    private readonly ConditionalWeakTable<DbContext, Unit> _pending = new();

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

    public void SaveChangesFailed(DbContextErrorEventData eventData) => Discard(eventData.Context, TransactionOf(eventData.Context));

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Discard(eventData.Context, TransactionOf(eventData.Context));
        return Task.CompletedTask;
    }

    public void SaveChangesCanceled(DbContextEventData eventData) => Discard(eventData.Context, TransactionOf(eventData.Context));

    public Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        Discard(eventData.Context, TransactionOf(eventData.Context));
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Act(eventData.Context, eventData.TransactionId);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Act(eventData.Context, eventData.TransactionId);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Discard(eventData.Context, eventData.TransactionId);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Discard(eventData.Context, eventData.TransactionId);
        return Task.CompletedTask;
    }

    /// <summary>Called as a save starts (it may add entities to the save): what to do after commit, joined to what the unit already holds, or null for nothing.</summary>
    protected abstract TPending? Collect(DbContext context, TPending? already);

    /// <summary>Called once the save is committed, on the committing thread: must not block.</summary>
    protected abstract void AfterCommit(TPending pending);

    /// <summary>The EF Core transaction a save of the context runs in (its id, never reused), or null outside one.</summary>
    private static Guid? TransactionOf(DbContext? context) => context?.Database.CurrentTransaction?.TransactionId;

    private void Keep(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        var transaction = TransactionOf(context);
        var unit = _pending.GetValue(context, _ => new Unit());
        // Only saves of one transaction add up: what a save outside one left is its own (acted on or dropped as it
        // ended), and what another transaction left waits for a commit that will not come.
        var already = transaction is not null && unit.Transaction == transaction ? unit.Pending : null;
        unit.Transaction = transaction;
        unit.Pending = Collect(context, already);
    }

    private void ActUnlessInTransaction(DbContext? context)
    {
        if (context is not null && context.Database.CurrentTransaction is null)
        {
            Act(context, null);
        }
    }

    private void Act(DbContext? context, Guid? transaction)
    {
        if (Take(context, transaction) is { } pending)
        {
            AfterCommit(pending);
        }
    }

    private void Discard(DbContext? context, Guid? transaction) => Take(context, transaction);

    /// <summary>What waits for this unit of commit, which no longer waits.</summary>
    private TPending? Take(DbContext? context, Guid? transaction)
    {
        if (context is null || !_pending.TryGetValue(context, out var unit) || unit.Transaction != transaction || unit.Pending is not { } pending)
        {
            return null;
        }

        unit.Pending = null;
        return pending;
    }

    /// <summary>A context's pending work and the unit of commit it waits for. A context is used by one operation at a time.</summary>
    private sealed class Unit
    {
        public Guid? Transaction { get; set; }

        public TPending? Pending { get; set; }
    }
}
