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
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
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
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // What ran before the restart is started again all the same.
            LogEngineFailure(exception);
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
        foreach (var service in deployment.Services.Where(s => !EnvironmentDeployment.IsFinished(s.State)).OrderBy(s => s.Position))
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

    /// <summary>
    /// Starts again every application and opens every database that has a live release. Each service on its own:
    /// whatever fails for one (a runtime failure, a secret that no longer decrypts, a service deleted meanwhile)
    /// leaves it in DEPLOYMENT_ERROR, logged, and the others are still restored.
    /// </summary>
    private async Task RestoreServicesAsync(CancellationToken cancellationToken)
    {
        List<(Guid ServiceId, string Name, Clusters.ClusterKind Kind, ServiceDeployment? Live)> applications;
        List<(Databases.ManagedDatabase Database, Clusters.ClusterKind Kind)> databases;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            applications = (await db.Applications.AsNoTracking().Where(a => a.LiveDeploymentId != null)
                .Select(a => new { a.Id, a.Name, a.Environment!.Cluster!.Kind, Live = db.ServiceDeployments.FirstOrDefault(s => s.Id == a.LiveDeploymentId) })
                .ToListAsync(cancellationToken)).Select(a => (a.Id, a.Name, a.Kind, a.Live)).ToList();
            databases = (await db.Databases.AsNoTracking().Where(d => d.LiveDeploymentId != null)
                .Select(d => new { Database = d, d.Environment!.Cluster!.Kind }).ToListAsync(cancellationToken))
                .Select(d => (d.Database, d.Kind)).ToList();
        }

        foreach (var (database, kind) in databases)
        {
            try
            {
                // The order decrypts the password: inside the try, so that a key lost since fails this database only.
                await runtimes.ForCluster(kind).DeployDatabaseAsync(database.RuntimeOrder(protector), cancellationToken);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                var reason = RestoreFailureReason(exception, database.Name);
                await MarkQuietlyAsync(ServiceType.Database, database.Id, database.Name, ServiceState.DeploymentError, $"Could not be opened again after the portal restarted: {reason}", null);
            }
        }

        // Databases first, so applications that use them start against a server that accepts them.
        await Parallel.ForEachAsync(applications, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (application, token) =>
        {
            var runtime = runtimes.ForCluster(application.Kind);
            var live = application.Live;
            try
            {
                if (live?.Settings is null)
                {
                    throw new RuntimeFailureException("Its live release is no longer recorded: deploy it again.");
                }

                var variables = UnprotectVariables(live.ProtectedVariables);
                var buildId = live.BuildId is { } kept && runtime.HasBuild(kept) ? kept : null;
                if (buildId is null)
                {
                    var fetched = await runtime.FetchAsync(FetchOrderFor(application.ServiceId, live.Id, live.Settings.GitRepository, live.ProtectedGitSecret, live.CommitLongId), token);
                    await runtime.BuildAsync(new BuildOrder(application.ServiceId, live.Id, fetched.BuildId, live.Settings.GitRepository.RootPath, live.Settings.BuildCommand, variables), token);
                    buildId = fetched.BuildId;
                }

                await runtime.StartAsync(new ReleaseOrder(application.ServiceId, live.Id, buildId, live.Settings, variables), token);
                await runtime.PromoteAsync(application.ServiceId, live.Id, token);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                var reason = RestoreFailureReason(exception, application.Name);
                if (live is not null)
                {
                    try
                    {
                        await runtime.DiscardAsync(application.ServiceId, live.Id);
                    }
                    catch (Exception discard)
                    {
                        LogRestoreError(discard, application.Name);
                    }
                }

                await MarkQuietlyAsync(ServiceType.Application, application.ServiceId, application.Name, ServiceState.DeploymentError,
                    $"Could not be started again after the portal restarted: {reason}", live is null ? null : CommitOf(live));
                return;
            }

            await MarkQuietlyAsync(ServiceType.Application, application.ServiceId, application.Name, ServiceState.Running, "Started again after the portal restarted.", CommitOf(live));
        });
    }

    /// <summary>Logs why a service could not be restored; answers the reason to show on the service.</summary>
    private string RestoreFailureReason(Exception exception, string service)
    {
        if (exception is RuntimeFailureException)
        {
            LogRestoreFailure(service, exception.Message);
            return exception.Message;
        }

        LogRestoreError(exception, service);
        return "The runtime failed unexpectedly; the portal's log has the details.";
    }

    /// <summary>Moves a restored service to its state; a failure to record it is logged, and the other services go on.</summary>
    private async Task MarkQuietlyAsync(ServiceType type, Guid serviceId, string name, ServiceState state, string message, Commit? commit)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var organizationId = type == ServiceType.Application
                ? await db.Applications.Where(a => a.Id == serviceId).Select(a => (Guid?)a.Environment!.Project!.OrganizationId).FirstOrDefaultAsync()
                : await db.Databases.Where(d => d.Id == serviceId).Select(d => (Guid?)d.Environment!.Project!.OrganizationId).FirstOrDefaultAsync();
            if (organizationId is null)
            {
                return; // Deleted meanwhile.
            }

            var transitions = new ServiceTransitions(db, organizationId.Value, clock.GetUtcNow());
            await transitions.SetAsync(type, serviceId, state, message, null, commit);
            await transitions.SaveAsync();
        }
        catch (Exception exception)
        {
            LogRestoreError(exception, name);
        }
    }
}
