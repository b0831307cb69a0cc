using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Platform.Domain.Common;
using Platform.Domain.Environments;
using Platform.Domain.Events;
using Platform.Domain.Runtime;
using Platform.Domain.Services;

namespace Platform.Domain.Deployments;

/// <summary>
/// Carries out one environment deployment that the engine claimed: its services one after the other (a
/// <see cref="ServiceRun"/> each), then how it ended, with the environment's snapshot when it succeeded, and, for the
/// deletion of the environment, the environment itself.
/// </summary>
internal sealed partial class EnvironmentDeploymentRun(EngineContext engine, Guid deploymentId, ILogger logger)
{
    /// <summary>Kinds that stop or delete: they run in an archived environment too; the others fail there.</summary>
    private static readonly DeploymentKind[] AllowedWhenArchived = [DeploymentKind.Archive, DeploymentKind.Delete, DeploymentKind.DeleteEnvironment, DeploymentKind.Stop];

    public async Task RunAsync(CancellationToken abort, CancellationToken stopping)
    {
        EnvironmentDeployment deployment;
        bool archived;
        await using (var db = await engine.OpenAsync(stopping))
        {
            deployment = await db.EnvironmentDeployments.AsNoTracking().Include(d => d.Services).FirstAsync(d => d.Id == deploymentId, stopping);
            archived = await db.Environments.Where(e => e.Id == deployment.EnvironmentId).Select(e => e.Archived).FirstAsync(stopping);
        }

        var runtime = await engine.RuntimeOfAsync(deployment.EnvironmentId, stopping);
        var failed = new List<string>();
        var kept = new List<ServiceDeployment>();
        var aborted = false;
        foreach (var service in deployment.Services.OrderBy(s => s.Position).ThenBy(s => s.Sequence))
        {
            if (abort.IsCancellationRequested)
            {
                if (stopping.IsCancellationRequested)
                {
                    return; // The portal is stopping: the next start ends this deployment FAILED (the reconciler).
                }

                aborted = true;
                await EndNotStartedAsync(service.Id, DeploymentState.Aborted, "Aborted before it started.");
                continue;
            }

            if (archived && !AllowedWhenArchived.Contains(deployment.Kind))
            {
                failed.Add(service.ServiceName);
                await EndNotStartedAsync(service.Id, DeploymentState.Failed, "The environment was archived before this deployment started.");
                continue;
            }

            var run = new ServiceRun(engine, runtime, service, deployment.OwnerId);
            try
            {
                await run.ExecuteAsync(abort);
                kept.Add(service);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                aborted = true;
                await run.AbortedAsync();
            }
            catch (Exception exception)
            {
                if (exception is not RuntimeFailureException)
                {
                    LogServiceFailure(exception, service.ServiceName);
                }

                failed.Add(service.ServiceName);
                await run.FailedAsync(exception is RuntimeFailureException ? exception.Message : "The runtime failed unexpectedly; the portal's log has the details.");
            }
        }

        await FinishAsync(aborted, failed, kept);
    }

    /// <param name="kept">The services whose deployment ended OK: after an abort, they keep what they changed to.</param>
    private async Task FinishAsync(bool aborted, List<string> failed, List<ServiceDeployment> kept)
    {
        await using var db = await engine.OpenAsync();
        var deployment = await db.EnvironmentDeployments.FirstAsync(d => d.Id == deploymentId);
        var now = engine.Now;
        var (state, message) = aborted
            ? (DeploymentState.Aborted, AbortedMessage(kept))
            : failed.Count > 0
                ? (DeploymentState.Failed, $"Failed: {string.Join(", ", failed)}.")
                : (DeploymentState.Ok, $"{deployment.Kind} done.");
        deployment.End(state, message, now);
        if (state == DeploymentState.Ok && deployment.Kind == DeploymentKind.DeleteEnvironment)
        {
            await DeleteEnvironmentAsync(db, deployment, now);
            return;
        }

        if (state == DeploymentState.Ok)
        {
            var applications = await db.Applications.Where(a => a.EnvironmentId == deployment.EnvironmentId)
                .Select(a => new SnapshotEntry(ServiceType.Application, a.Id, a.Name, a.LiveDeploymentId)).ToListAsync();
            var databases = await db.Databases.Where(d => d.EnvironmentId == deployment.EnvironmentId)
                .Select(d => new SnapshotEntry(ServiceType.Database, d.Id, d.Name, d.LiveDeploymentId)).ToListAsync();
            deployment.Snapshot = [.. databases, .. applications];
        }

        var shown = DeploymentStatus.Of(deployment.State, deployment.Message).State;
        await db.SaveWithEventsAsync([DeploymentQueueing.EnvironmentEvent(deployment, deployment.OrganizationId, shown, deployment.Message!, deployment.OwnerId, now)]);
    }

    /// <summary>Every service of the environment is gone from the runtime: the environment goes, with its history; its events stay.</summary>
    private static async Task DeleteEnvironmentAsync(PlatformDbContext db, EnvironmentDeployment deployment, DateTimeOffset now)
    {
        var environment = await db.Environments.FirstAsync(e => e.Id == deployment.EnvironmentId);
        db.Environments.Remove(environment);
        await db.SaveWithEventsAsync([EventLog.New(EnvironmentService.Subject(deployment.OrganizationId, environment), "DELETED", SimpleState.Ok,
            $"Environment {environment.Name} deleted.", deployment.OwnerId, now)]);
    }

    /// <summary>
    /// What an aborted environment deployment left: services that ended OK before the abort keep what they changed
    /// to (an abort stops the step in progress, it does not undo the services done before it).
    /// </summary>
    internal static string AbortedMessage(IReadOnlyList<ServiceDeployment> kept)
    {
        if (kept.Count == 0)
        {
            return "Aborted: nothing it started was kept; what ran before still runs.";
        }

        var done = kept.Select(s => (s.ServiceType, s.Action) switch
        {
            (_, ServiceAction.Stop) => $"{s.ServiceName} stopped",
            (_, ServiceAction.Restart) => $"{s.ServiceName} restarted",
            (_, ServiceAction.Delete) => $"{s.ServiceName} was deleted",
            (ServiceType.Database, _) => $"{s.ServiceName} was provisioned",
            _ => $"{s.ServiceName} switched to its new version",
        }).ToList();
        var list = done.Count == 1 ? done[0] : $"{string.Join(", ", done[..^1])} and {done[^1]}";
        var message = $"Aborted after {list}; the other services keep what ran before.";
        return message.Length <= DeploymentColumns.MaxMessageLength ? message : $"{Texts.Cut(message, DeploymentColumns.MaxMessageLength - 1)}…";
    }

    /// <summary>Ends a service deployment that never ran, and returns its service to what it was doing.</summary>
    private Task EndNotStartedAsync(Guid serviceDeploymentId, DeploymentState state, string message) =>
        engine.UpdateAsync(serviceDeploymentId, async (deployment, transitions, _) =>
        {
            deployment.End(state, message, engine.Now);
            await transitions.RestoreAsync(deployment, deployment.OwnerId, state == DeploymentState.Aborted ? "Deployment aborted." : message);
        });

    [LoggerMessage(Level = LogLevel.Error, Message = "Deploying {Service} failed unexpectedly")]
    private partial void LogServiceFailure(Exception exception, string service);
}
