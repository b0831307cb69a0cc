using Microsoft.EntityFrameworkCore;
using Platform.Domain.Billing.Costs;
using Platform.Domain.Services;

namespace Platform.Domain.Deployments;

/// <summary>
/// What the engine does when the portal starts (PRODUCT.md section 6): deployments a restart (or a crash) cut short end
/// FAILED, saying why; then each environment whose services should run gets a RESTORE deployment, queued ahead of
/// the rest, which starts them again from the release they ran, through the same steps as any deployment.
/// </summary>
internal sealed class Reconciler(EngineContext engine)
{
    public const string InterruptedMessage =
        "The portal restarted while this deployment was in progress, so it stopped there. Deploy again to finish it.";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var db = await engine.OpenAsync(cancellationToken);
        await RunningIntervals.CloseLeftOpenAsync(db, cancellationToken);
        var interrupted = await db.EnvironmentDeployments.Include(d => d.Services)
            .Where(d => DeploymentStates.Running.Contains(d.State)).ToListAsync(cancellationToken);
        var now = engine.Now;
        foreach (var deployment in interrupted)
        {
            var transitions = new ServiceTransitions(db, deployment.OrganizationId, now, deployment.Id);
            await CutShortAsync(transitions, deployment, InterruptedMessage, "The portal restarted before this deployment started.", now);
            await transitions.SaveAsync(cancellationToken);
        }

        await QueueRestoresAsync(db, cancellationToken);
    }

    /// <summary>
    /// Ends a deployment that was cut short (by a restart of the portal, or a failure of the engine itself) FAILED
    /// with that message, with its unfinished service deployments: a service whose deployment was running is in
    /// DEPLOYMENT_ERROR, one whose deployment had not started returns to what it was doing.
    /// </summary>
    public static async Task CutShortAsync(ServiceTransitions transitions, EnvironmentDeployment deployment, string message, string notStartedMessage, DateTimeOffset now)
    {
        deployment.End(DeploymentState.Failed, message, now);
        foreach (var service in deployment.Services.Where(s => !DeploymentStates.IsFinished(s.State)).OrderBy(s => s.Position))
        {
            var wasRunning = service.State == DeploymentState.DeploymentInProgress;
            service.End(DeploymentState.Failed, message, now);
            if (wasRunning)
            {
                await transitions.SetAsync(service.ServiceType, service.ServiceId, ServiceState.DeploymentError, message, null, EngineContext.CommitOf(service));
            }
            else
            {
                await transitions.RestoreAsync(service, null, notStartedMessage);
            }
        }

        transitions.Add(DeploymentQueueing.EnvironmentEvent(deployment, deployment.OrganizationId, "FAILED", message, null, now));
    }

    /// <summary>
    /// One RESTORE deployment per environment with a live release: databases are opened again, applications run the
    /// release they ran (from its kept build when there is one). Owned by the platform, not by a user.
    /// </summary>
    private async Task QueueRestoresAsync(Common.PlatformDbContext db, CancellationToken cancellationToken)
    {
        var environments = await db.Environments.Where(e => !e.Archived
                && (db.Applications.Any(a => a.EnvironmentId == e.Id && a.LiveDeploymentId != null) || db.Databases.Any(d => d.EnvironmentId == e.Id && d.LiveDeploymentId != null)))
            .Select(e => new { Environment = e, e.Project!.OrganizationId }).ToListAsync(cancellationToken);
        foreach (var found in environments)
        {
            var services = await DeploymentQueueing.ServicesAsync(db, found.Environment.Id);
            var orders = services.Where(s => s.LiveDeploymentId is not null)
                .Select(s => new QueuedOrder(s, ServiceAction.Deploy, Source: s.Type == ServiceType.Application ? s.LiveDeploymentId : null)).ToList();
            await DeploymentQueueing.AddAsync(db, found.OrganizationId, found.Environment, ownerId: null, engine.Now, DeploymentKind.Restore, orders);
        }

        engine.Signals.Wake();
    }
}
