using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Platform.Domain.Deployments;
using Platform.Domain.Events;

namespace Platform.Domain.Live;

/// <summary>
/// Publishes, once they are committed, the events and deployment changes any context saves: every writer of the
/// domain is covered without calling the bus itself, and nothing rolled back is ever announced.
/// </summary>
public sealed class LivePublishingInterceptor(ILiveNotifier bus) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, List<LiveMessage>> _pending = new();

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        PublishUnlessInTransaction(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        PublishUnlessInTransaction(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => Discard(eventData.Context);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Discard(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Publish(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Publish(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Discard(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Discard(eventData.Context);
        return Task.CompletedTask;
    }

    private void Collect(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        var messages = new List<LiveMessage>();
        var events = context.ChangeTracker.Entries<PlatformEvent>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
        foreach (var group in events.GroupBy(e => (e.OrganizationId, e.EnvironmentId, e.ServiceId)))
        {
            messages.Add(new EventsAdded(group.Key.OrganizationId, group.Key.EnvironmentId, group.Key.ServiceId, group.ToList()));
        }

        // One message per environment deployment, whatever number of its rows changed: subscribers read it whole.
        var deployments = context.ChangeTracker.Entries<ServiceDeployment>().Where(e => e.State is EntityState.Added or EntityState.Modified)
            .Select(e => (e.Entity.OrganizationId, e.Entity.EnvironmentId, ServiceId: (Guid?)e.Entity.ServiceId, Id: e.Entity.EnvironmentDeploymentId))
            .Concat(context.ChangeTracker.Entries<EnvironmentDeployment>().Where(e => e.State is EntityState.Added or EntityState.Modified)
                .Select(e => (e.Entity.OrganizationId, e.Entity.EnvironmentId, ServiceId: (Guid?)null, e.Entity.Id)));
        foreach (var group in deployments.GroupBy(d => d.Id))
        {
            var first = group.First();
            var services = group.Select(d => d.ServiceId).Distinct().ToList();
            messages.Add(new DeploymentChanged(first.OrganizationId, first.EnvironmentId, services.Count == 1 ? services[0] : null, group.Key));
        }

        if (messages.Count > 0)
        {
            _pending.GetOrCreateValue(context).AddRange(messages.Distinct());
        }
    }

    private void PublishUnlessInTransaction(DbContext? context)
    {
        if (context?.Database.CurrentTransaction is null)
        {
            Publish(context);
        }
    }

    private void Publish(DbContext? context)
    {
        if (context is null || !_pending.TryGetValue(context, out var messages))
        {
            return;
        }

        _pending.Remove(context);
        foreach (var message in messages)
        {
            bus.Publish(message);
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
