using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Platform.Domain.Applications;
using Platform.Domain.Clusters;
using Platform.Domain.Common;
using Platform.Domain.Events;
using Platform.Domain.Logs;
using Platform.Domain.Runtime;
using Platform.Domain.Services;
using Platform.Domain.Variables;

namespace Platform.Domain.Deployments;

/// <summary>
/// Carries out the queued environment deployments, oldest first, one at a time per environment, through the
/// runtime of each environment's cluster. The queue is the environment_deployment table: a request survives a
/// restart of the portal. At start it reconciles: deployments cut short by a restart end FAILED, and every service
/// that should run is started again from the release it ran.
/// </summary>
public sealed partial class DeploymentEngine(
    IDbContextFactory<PlatformDbContext> dbFactory,
    IRuntimes runtimes,
    DeploymentSignals signals,
    ISecretProtector secretProtector,
    IServiceScopeFactory scopes,
    ILogSink logs,
    TimeProvider clock,
    ILogger<DeploymentEngine> logger) : BackgroundService
{
    /// <summary>Environments deployed side by side; builds are the heavy part and this host is small.</summary>
    private const int MaxParallel = 2;

    public const string EngineFailedMessage =
        "The deployment engine failed while carrying out this deployment, so it stopped there; the portal's log has the details. Deploy again to finish it.";

    /// <summary>The length of a deployment's message column.</summary>
    private const int MaxMessageLength = 2000;

    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan EngineFailureRetryDelay = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<Guid, Task> _inFlight = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await ReconcileAsync(stoppingToken);
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            LogEngineFailure(exception);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await StartQueuedAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                LogEngineFailure(exception);
            }

            await signals.WaitAsync(PollInterval, stoppingToken);
        }

        await Task.WhenAll(_inFlight.Values);
    }

    private async Task StartQueuedAsync(CancellationToken stopping)
    {
        while (_inFlight.Count < MaxParallel && !stopping.IsCancellationRequested)
        {
            Guid id;
            await using (var db = await dbFactory.CreateDbContextAsync(stopping))
            {
                await using var transaction = await db.Database.BeginTransactionAsync(stopping);
                var next = await db.EnvironmentDeployments.FromSql($"""
                    SELECT * FROM environment_deployment d
                    WHERE d.state = 'Queued' AND NOT EXISTS (
                        SELECT 1 FROM environment_deployment r
                        WHERE r.environment_id = d.environment_id AND r.state IN ('DeploymentInProgress', 'Aborting'))
                    ORDER BY d.sequence LIMIT 1 FOR UPDATE SKIP LOCKED
                    """).OneOrNoneAsync(stopping);
                if (next is null)
                {
                    return;
                }

                next.State = DeploymentState.DeploymentInProgress;
                next.StartedAt = clock.GetUtcNow();
                next.Message = null;
                await db.SaveWithEventsAsync([DeploymentService.EnvironmentEvent(next, next.OrganizationId, "DEPLOYMENT_IN_PROGRESS", $"{next.Kind} started.", next.OwnerId, next.StartedAt.Value)], stopping);
                await transaction.CommitAsync(stopping);
                id = next.Id;
            }

            var abort = signals.Register(id, stopping);

            // The task waits until it is in _inFlight: one that ended first would leave its entry there for good,
            // holding one of the parallel slots.
            var listed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _inFlight[id] = Task.Run(async () =>
            {
                await listed.Task;
                try
                {
                    await RunAsync(id, abort.Token, stopping);
                }
                catch (Exception exception) when (!stopping.IsCancellationRequested)
                {
                    LogEngineFailure(exception);
                    await EndAfterEngineFailureAsync(id, stopping);
                }
                finally
                {
                    signals.Unregister(id);
                    _inFlight.TryRemove(id, out _);
                    signals.Wake();
                }
            }, CancellationToken.None);
            listed.SetResult();
        }
    }

    /// <summary>
    /// The engine itself failed outside a service's steps (say the database connection dropped while it recorded
    /// an outcome). Left as it is, the deployment would stay in progress (or aborting) and hold the environment's
    /// queue until the portal restarts: it ends FAILED, with its unfinished services, saying so. Best effort,
    /// tried twice; the portal's next start ends it if both fail.
    /// </summary>
    private async Task EndAfterEngineFailureAsync(Guid deploymentId, CancellationToken stopping)
    {
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            try
            {
                if (attempt > 1)
                {
                    await Task.Delay(EngineFailureRetryDelay, clock, stopping);
                }

                await EndFailedByEngineAsync(deploymentId, stopping);
                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return; // The portal is stopping: its next start ends this deployment (ReconcileAsync).
            }
            catch (Exception exception)
            {
                LogEngineFailureNotRecorded(exception, deploymentId, attempt);
            }
        }
    }

    private async Task EndFailedByEngineAsync(Guid deploymentId, CancellationToken stopping)
    {
        await using var db = await dbFactory.CreateDbContextAsync(stopping);
        var deployment = await db.EnvironmentDeployments.Include(d => d.Services).FirstOrDefaultAsync(d => d.Id == deploymentId, stopping);
        if (deployment is null || EnvironmentDeployment.IsFinished(deployment.State))
        {
            return;
        }

        // A release started and not switched to would keep running, unseen, beside the live one.
        var kind = await db.Environments.Where(e => e.Id == deployment.EnvironmentId).Select(e => e.Cluster!.Kind).FirstAsync(stopping);
        var runtime = runtimes.ForCluster(kind);
        foreach (var service in deployment.Services.Where(s => s.ServiceType == ServiceType.Application && s.State == DeploymentState.DeploymentInProgress))
        {
            await runtime.DiscardAsync(service.ServiceId, service.Id);
        }

        var now = clock.GetUtcNow();
        var transitions = new ServiceTransitions(db, deployment.OrganizationId, now);
        await EndCutShortAsync(transitions, deployment, EngineFailedMessage, "The deployment engine failed before this service's deployment started.", now);
        await transitions.SaveAsync(stopping);
    }

    private async Task RunAsync(Guid deploymentId, CancellationToken abort, CancellationToken stopping)
    {
        EnvironmentDeployment deployment;
        ClusterKind kind;
        bool archived;
        await using (var db = await dbFactory.CreateDbContextAsync(stopping))
        {
            deployment = await db.EnvironmentDeployments.AsNoTracking().Include(d => d.Services).FirstAsync(d => d.Id == deploymentId, stopping);
            var environment = await db.Environments.Where(e => e.Id == deployment.EnvironmentId)
                .Select(e => new { e.Archived, e.Cluster!.Kind }).FirstAsync(stopping);
            (kind, archived) = (environment.Kind, environment.Archived);
        }

        var runtime = runtimes.ForCluster(kind);
        var failed = new List<string>();
        var kept = new List<ServiceDeployment>();
        var aborted = false;
        foreach (var service in deployment.Services.OrderBy(s => s.Position).ThenBy(s => s.Sequence))
        {
            if (abort.IsCancellationRequested)
            {
                if (stopping.IsCancellationRequested)
                {
                    return; // The portal is stopping: the next start ends this deployment FAILED (ReconcileAsync).
                }

                aborted = true;
                await EndServiceAsync(service.Id, DeploymentState.Aborted, "Aborted before it started.", null, null);
                continue;
            }

            if (archived)
            {
                failed.Add(service.ServiceName);
                await EndServiceAsync(service.Id, DeploymentState.Failed, "The environment was archived before this deployment started.", null, null);
                continue;
            }

            var run = new ServiceRun(this, runtime, service, deployment.OwnerId);
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

        await FinishAsync(deploymentId, aborted, failed, kept);
    }

    /// <param name="kept">The services whose deployment ended OK: after an abort, they keep what they changed to.</param>
    private async Task FinishAsync(Guid deploymentId, bool aborted, List<string> failed, List<ServiceDeployment> kept)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var deployment = await db.EnvironmentDeployments.FirstAsync(d => d.Id == deploymentId);
        var now = clock.GetUtcNow();
        deployment.FinishedAt = now;
        (deployment.State, deployment.Message) = aborted
            ? (DeploymentState.Aborted, AbortedMessage(kept))
            : failed.Count > 0
                ? (DeploymentState.Failed, $"Failed: {string.Join(", ", failed)}. See each service's status and logs.")
                : (DeploymentState.Ok, $"{deployment.Kind} done.");
        if (deployment.State == DeploymentState.Ok)
        {
            var applications = await db.Applications.Where(a => a.EnvironmentId == deployment.EnvironmentId)
                .Select(a => new SnapshotEntry(ServiceType.Application, a.Id, a.Name, a.LiveDeploymentId)).ToListAsync();
            var databases = await db.Databases.Where(d => d.EnvironmentId == deployment.EnvironmentId)
                .Select(d => new SnapshotEntry(ServiceType.Database, d.Id, d.Name, d.LiveDeploymentId)).ToListAsync();
            deployment.Snapshot = [.. databases, .. applications];
        }

        var state = DeploymentStatus.Of(deployment.State, deployment.Message).State;
        await db.SaveWithEventsAsync([DeploymentService.EnvironmentEvent(deployment, deployment.OrganizationId, state, deployment.Message, deployment.OwnerId, now)]);
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
            (ServiceType.Database, _) => $"{s.ServiceName} was provisioned",
            _ => $"{s.ServiceName} switched to its new version",
        }).ToList();
        var list = done.Count == 1 ? done[0] : $"{string.Join(", ", done[..^1])} and {done[^1]}";
        var message = $"Aborted after {list}; the other services keep what ran before.";
        return message.Length <= MaxMessageLength ? message : $"{Texts.Cut(message, MaxMessageLength - 1)}…";
    }

    /// <summary>Ends a service deployment, and moves its service, in one save.</summary>
    private async Task EndServiceAsync(Guid serviceDeploymentId, DeploymentState state, string message, ServiceState? serviceState, Action<ServiceDeployment>? also)
    {
        await UpdateAsync(serviceDeploymentId, async (deployment, transitions) =>
        {
            deployment.State = state;
            deployment.Message = message;
            deployment.FinishedAt = clock.GetUtcNow();
            deployment.Steps = DeploymentSteps.Close(deployment.Steps, state == DeploymentState.Aborted ? StepState.Aborted : StepState.Failed, deployment.FinishedAt.Value);
            also?.Invoke(deployment);
            if (serviceState is { } target)
            {
                await transitions.SetAsync(deployment.ServiceType, deployment.ServiceId, target, message, deployment.OwnerId, CommitOf(deployment));
            }
            else if (state == DeploymentState.Aborted)
            {
                await transitions.RestoreAsync(deployment, deployment.OwnerId, "Deployment aborted.");
            }
        });
    }

    private async Task UpdateAsync(Guid serviceDeploymentId, Func<ServiceDeployment, ServiceTransitions, Task> change)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var deployment = await db.ServiceDeployments.FirstAsync(s => s.Id == serviceDeploymentId);
        var transitions = new ServiceTransitions(db, deployment.OrganizationId, clock.GetUtcNow());
        await change(deployment, transitions);
        await transitions.SaveAsync();
    }

    private static Commit? CommitOf(ServiceDeployment d) =>
        d.CommitLongId is null ? null : new Commit(d.CommitShortId!, d.CommitLongId, d.CommitMessage ?? "");

    private readonly ISecretProtector protector = secretProtector;

    private DateTimeOffset Now => clock.GetUtcNow();

    private Task<PlatformDbContext> OpenAsync(CancellationToken cancellationToken = default) => dbFactory.CreateDbContextAsync(cancellationToken);

    private string ProtectVariables(RuntimeVariables variables) => protector.Protect(JsonSerializer.Serialize(variables));

    private RuntimeVariables UnprotectVariables(string? protectedVariables) => protectedVariables is null
        ? RuntimeVariables.None
        : JsonSerializer.Deserialize<RuntimeVariables>(protector.Unprotect(protectedVariables)) ?? RuntimeVariables.None;

    /// <summary>
    /// The one place a repository's secret is decrypted: into the fetch order, for the runtime alone. The order's URL
    /// carries no secret; the credentials travel beside it.
    /// </summary>
    private FetchOrder FetchOrderFor(Guid applicationId, Guid deploymentId, GitSource source, string? protectedGitSecret, string? commitId)
    {
        if (GitUrls.HasSecret(source.Url) && protectedGitSecret is null)
        {
            throw new RuntimeFailureException($"The password or token of {source.Url} is not stored: enter it again in the application's settings.");
        }

        var credentials = GitUrls.CredentialsFor(source.Url, protectedGitSecret is null ? null : protector.Unprotect(protectedGitSecret));
        return new FetchOrder(applicationId, deploymentId, source with { Url = GitUrls.WithoutCredentials(source.Url) }, commitId, credentials);
    }

    private async Task<RuntimeVariables> ResolveVariablesAsync(Guid applicationId)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<VariableService>().ResolveForRuntimeAsync(applicationId);
    }

    private void Say(Guid serviceId, Guid deploymentId, string message) =>
        logs.Write(new LogEntry(serviceId, deploymentId, "platform", LogStream.System, message, clock.GetUtcNow()));

    [LoggerMessage(Level = LogLevel.Error, Message = "The deployment engine failed")]
    private partial void LogEngineFailure(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Deployment {DeploymentId} could not be ended FAILED after the engine failed (attempt {Attempt} of 2)")]
    private partial void LogEngineFailureNotRecorded(Exception exception, Guid deploymentId, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Deploying {Service} failed unexpectedly")]
    private partial void LogServiceFailure(Exception exception, string service);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} could not be started again after the restart: {Reason}")]
    private partial void LogRestoreFailure(string service, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Service} could not be started again after the restart")]
    private partial void LogRestoreError(Exception exception, string service);
}
