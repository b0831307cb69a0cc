using Microsoft.EntityFrameworkCore;
using Platform.Domain.Runtime;
using Platform.Domain.Services;

namespace Platform.Domain.Deployments;

public sealed partial class DeploymentEngine
{
    public const string InterruptedMessage =
        "The portal restarted while this deployment was in progress, so it stopped there. Deploy again to finish it.";

    /// <summary>
    /// After a restart of the portal: deployments that were in progress end FAILED, saying why; then every
    /// application and database that should run is started again from the release it ran.
    /// </summary>
    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var interrupted = await db.EnvironmentDeployments.Include(d => d.Services)
                .Where(d => d.State == DeploymentState.DeploymentInProgress || d.State == DeploymentState.Aborting)
                .ToListAsync(cancellationToken);
            var now = clock.GetUtcNow();
            foreach (var deployment in interrupted)
            {
                var transitions = new ServiceTransitions(db, deployment.OrganizationId, now);
                await EndCutShortAsync(transitions, deployment, InterruptedMessage, "The portal restarted before this deployment started.", now);
                await transitions.SaveAsync(cancellationToken);
            }
        }

        await RestoreServicesAsync(cancellationToken);
    }

    /// <summary>
    /// Ends a deployment that was cut short (by a restart of the portal, or a failure of the engine itself) FAILED
    /// with that message, with its unfinished service deployments: a service whose deployment was running is in
    /// DEPLOYMENT_ERROR, one whose deployment had not started returns to what it was doing.
    /// </summary>
    private static async Task EndCutShortAsync(ServiceTransitions transitions, EnvironmentDeployment deployment, string message, string notStartedMessage, DateTimeOffset now)
    {
        deployment.State = DeploymentState.Failed;
        deployment.Message = message;
        deployment.FinishedAt = now;
        foreach (var service in deployment.Services.Where(s => !EnvironmentDeployment.IsFinished(s.State)))
        {
            var wasRunning = service.State == DeploymentState.DeploymentInProgress;
            service.State = DeploymentState.Failed;
            service.Message = message;
            service.FinishedAt = now;
            service.Steps = DeploymentSteps.Close(service.Steps, StepState.Failed, now);
            if (wasRunning)
            {
                await transitions.SetAsync(service.ServiceType, service.ServiceId, ServiceState.DeploymentError, message, null, CommitOf(service));
            }
            else
            {
                await transitions.RestoreAsync(service, null, notStartedMessage);
            }
        }

        transitions.Add(DeploymentService.EnvironmentEvent(deployment, deployment.OrganizationId, "FAILED", message, null, now));
    }

    private async Task RestoreServicesAsync(CancellationToken cancellationToken)
    {
        List<(Guid ServiceId, string Name, Clusters.ClusterKind Kind, ServiceDeployment Live)> applications;
        List<(Guid ServiceId, string Name, Clusters.ClusterKind Kind, DatabaseOrder Order)> databases;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            applications = (await db.Applications.Where(a => a.LiveDeploymentId != null)
                .Select(a => new { a.Id, a.Name, a.Environment!.Cluster!.Kind, Live = db.ServiceDeployments.First(s => s.Id == a.LiveDeploymentId) })
                .ToListAsync(cancellationToken)).Select(a => (a.Id, a.Name, a.Kind, a.Live)).ToList();
            databases = (await db.Databases.Where(d => d.LiveDeploymentId != null)
                .Select(d => new { Database = d, d.Environment!.Cluster!.Kind }).ToListAsync(cancellationToken))
                .Select(d => (d.Database.Id, d.Database.Name, d.Kind, d.Database.RuntimeOrder(protector))).ToList();
        }

        foreach (var database in databases)
        {
            try
            {
                await runtimes.ForCluster(database.Kind).DeployDatabaseAsync(database.Order, cancellationToken);
            }
            catch (RuntimeFailureException failure)
            {
                LogRestoreFailure(database.Name, failure.Message);
                await MarkAsync(ServiceType.Database, database.ServiceId, ServiceState.DeploymentError, $"Could not be opened again after the portal restarted: {failure.Message}", null);
            }
        }

        // Databases first, so applications that use them start against a server that accepts them.
        await Parallel.ForEachAsync(applications, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (application, token) =>
        {
            var runtime = runtimes.ForCluster(application.Kind);
            var live = application.Live;
            try
            {
                var variables = UnprotectVariables(live.ProtectedVariables);
                var buildId = live.BuildId is { } kept && runtime.HasBuild(kept) ? kept : null;
                if (buildId is null)
                {
                    var fetched = await runtime.FetchAsync(new FetchOrder(application.ServiceId, live.Id, live.Settings!.GitRepository, live.CommitLongId), token);
                    await runtime.BuildAsync(new BuildOrder(application.ServiceId, live.Id, fetched.BuildId, live.Settings.GitRepository.RootPath, live.Settings.BuildCommand, variables), token);
                    buildId = fetched.BuildId;
                }

                await runtime.StartAsync(new ReleaseOrder(application.ServiceId, live.Id, buildId, live.Settings!, variables), token);
                await runtime.PromoteAsync(application.ServiceId, live.Id, token);
                await MarkAsync(ServiceType.Application, application.ServiceId, ServiceState.Running, "Started again after the portal restarted.", CommitOf(live));
            }
            catch (RuntimeFailureException failure)
            {
                LogRestoreFailure(application.Name, failure.Message);
                await runtime.DiscardAsync(application.ServiceId, live.Id);
                await MarkAsync(ServiceType.Application, application.ServiceId, ServiceState.DeploymentError, $"Could not be started again after the portal restarted: {failure.Message}", CommitOf(live));
            }
        });
    }

    private async Task MarkAsync(ServiceType type, Guid serviceId, ServiceState state, string message, Commit? commit)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var organizationId = type == ServiceType.Application
            ? await db.Applications.Where(a => a.Id == serviceId).Select(a => a.Environment!.Project!.OrganizationId).FirstAsync()
            : await db.Databases.Where(d => d.Id == serviceId).Select(d => d.Environment!.Project!.OrganizationId).FirstAsync();
        var transitions = new ServiceTransitions(db, organizationId, clock.GetUtcNow());
        await transitions.SetAsync(type, serviceId, state, message, null, commit);
        await transitions.SaveAsync();
    }
}
