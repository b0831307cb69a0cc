using Microsoft.EntityFrameworkCore;
using Platform.Domain.Billing.Costs;
using Platform.Domain.Common;
using Platform.Domain.Events;
using Platform.Domain.Runtime;
using Platform.Domain.Services;

namespace Platform.Domain.Deployments;

/// <summary>
/// Moves applications and databases from state to state, each move an event on the service and its environment
/// (PRODUCT.md section 5), saved together with whatever else the context holds; the events name the environment
/// deployment that made the moves.
/// </summary>
internal sealed class ServiceTransitions(PlatformDbContext db, Guid organizationId, DateTimeOffset now, Guid environmentDeploymentId)
{
    private readonly List<PlatformEvent> _events = [];

    public async Task SetAsync(ServiceType type, Guid serviceId, ServiceState state, string message, Guid? ownerId, Commit? commit, Action<IDeployedService>? also = null)
    {
        IDeployedService? row = type == ServiceType.Application
            ? await db.Applications.FirstOrDefaultAsync(a => a.Id == serviceId)
            : await db.Databases.FirstOrDefaultAsync(d => d.Id == serviceId);
        if (row is null)
        {
            return; // Deleted meanwhile: its deployment still ends, the service has nothing to update.
        }

        var wasLive = row.LiveDeploymentId;
        row.State = state;
        row.StateMessage = message;
        row.UpdatedAt = now;
        also?.Invoke(row);
        if (type == ServiceType.Application && (row.LiveDeploymentId != wasLive || state == ServiceState.Deleted))
        {
            // What is billed follows the live release, so its running time is written here, with the change.
            await RunningIntervals.SwitchAsync(db, organizationId, row, serviceId, state == ServiceState.Deleted ? null : row.LiveDeploymentId, now);
        }
        _events.Add(new PlatformEvent
        {
            OrganizationId = organizationId,
            EnvironmentId = row.EnvironmentId,
            ServiceType = type,
            ServiceId = serviceId,
            ServiceName = row.Name,
            State = ServiceStatus.Name(state),
            SimpleState = ServiceStatus.SimpleOf(state),
            Message = message,
            OwnerId = ownerId,
            CommitShortId = commit?.ShortId,
            CommitLongId = commit?.LongId,
            CommitMessage = commit?.Message is { } text ? Texts.Cut(text, 1000) : null,
            DeploymentId = environmentDeploymentId,
            CreatedAt = now,
        });
    }

    /// <summary>Removes a deleted service's row, with a DELETED event on it and its environment (events outlive services).</summary>
    public async Task DeleteAsync(ServiceType type, Guid serviceId, string message, Guid? ownerId)
    {
        object? row = type == ServiceType.Application
            ? await db.Applications.FirstOrDefaultAsync(a => a.Id == serviceId)
            : await db.Databases.FirstOrDefaultAsync(d => d.Id == serviceId);
        if (row is not null)
        {
            await SetAsync(type, serviceId, ServiceState.Deleted, message, ownerId, null);
            db.Remove(row);
        }
    }

    /// <summary>Returns a service whose deployment never ran (or was aborted) to what it was doing: running its live release, or stopped.</summary>
    public Task RestoreAsync(ServiceDeployment deployment, Guid? ownerId, string message) =>
        SetAsync(deployment.ServiceType, deployment.ServiceId, deployment.PreviousState == ServiceState.Queued ? ServiceState.Stopped : deployment.PreviousState,
            message, ownerId, null, row =>
            {
                if (row.LiveDeploymentId is not null)
                {
                    row.State = ServiceState.Running;
                    row.StateMessage = $"{message} The previous version is still serving.";
                }
            });

    public void Add(PlatformEvent e) => _events.Add(e);

    public async Task SaveAsync(CancellationToken cancellationToken = default)
    {
        await db.SaveWithEventsAsync(_events, cancellationToken);
        _events.Clear();
    }
}
