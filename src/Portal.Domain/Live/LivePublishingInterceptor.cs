using Microsoft.EntityFrameworkCore;
using Platform.Domain.Common;
using Platform.Domain.Deployments;
using Platform.Domain.Events;

namespace Platform.Domain.Live;

/// <summary>
/// Publishes, once they are committed, the events and deployment changes any context saves: every writer of the
/// domain is covered without calling the bus itself, and nothing rolled back is ever announced.
/// </summary>
public sealed class LivePublishingInterceptor(ILiveNotifier bus) : AfterCommitInterceptor<List<LiveMessage>>
{
    protected override List<LiveMessage>? Collect(DbContext context, List<LiveMessage>? already)
    {
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

        if (messages.Count == 0)
        {
            return already;
        }

        var pending = already ?? [];
        pending.AddRange(messages.Distinct());
        return pending;
    }

    protected override void AfterCommit(List<LiveMessage> pending)
    {
        foreach (var message in pending)
        {
            bus.Publish(message);
        }
    }
}
