using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Platform.Domain.Common;
using Platform.Domain.Events;
using Platform.Domain.Runtime;
using Platform.Domain.Services;

namespace Platform.Domain.Deployments;

/// <summary>
/// Claims the queued environment deployments, oldest first (a restore after a restart before anything else), one at
/// a time per environment, and hands each to an <see cref="EnvironmentDeploymentRun"/>. The queue is the
/// environment_deployment table: a request survives a restart of the portal. At start the <see cref="Reconciler"/>
/// ends what a restart cut short and queues the restores.
/// </summary>
public sealed partial class DeploymentEngine(EngineContext engine, ILogger<DeploymentEngine> logger) : BackgroundService
{
    /// <summary>Environments deployed side by side; builds are the heavy part and this host is small.</summary>
    private const int MaxParallel = 2;

    public const string EngineFailedMessage =
        "The deployment engine failed while carrying out this deployment, so it stopped there; the portal's log has the details. Deploy again to finish it.";

    public const string InterruptedMessage = Reconciler.InterruptedMessage;

    /// <summary>The oldest queued deployment of an environment where none runs (restores first), locked for its claim.</summary>
    private static readonly string NextQueued = $"""
        SELECT * FROM environment_deployment d
        WHERE d.state = '{DeploymentState.Queued}' AND NOT EXISTS (
            SELECT 1 FROM environment_deployment r WHERE r.environment_id = d.environment_id AND r.state IN ({DeploymentStates.Sql(DeploymentStates.Running)}))
        ORDER BY d.kind = '{DeploymentKind.Restore}' DESC, d.sequence LIMIT 1 FOR UPDATE SKIP LOCKED
        """;

    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan EngineFailureRetryDelay = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<Guid, Task> _inFlight = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await new Reconciler(engine).RunAsync(stoppingToken);
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

            await engine.Signals.WaitAsync(PollInterval, stoppingToken);
        }

        await Task.WhenAll(_inFlight.Values);
    }

    private async Task StartQueuedAsync(CancellationToken stopping)
    {
        while (_inFlight.Count < MaxParallel && !stopping.IsCancellationRequested)
        {
            if (await ClaimAsync(stopping) is not { } id)
            {
                return;
            }

            var abort = engine.Signals.Register(id, stopping);

            // The task waits until it is in _inFlight: one that ended first would leave its entry there for good,
            // holding one of the parallel slots.
            var listed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _inFlight[id] = Task.Run(async () =>
            {
                await listed.Task;
                try
                {
                    await new EnvironmentDeploymentRun(engine, id, logger).RunAsync(abort.Token, stopping);
                }
                catch (Exception exception) when (!stopping.IsCancellationRequested)
                {
                    LogEngineFailure(exception);
                    await EndAfterEngineFailureAsync(id, stopping);
                }
                finally
                {
                    engine.Signals.Unregister(id);
                    _inFlight.TryRemove(id, out _);
                    engine.Signals.Ended(id);
                    engine.Signals.Wake();
                }
            }, CancellationToken.None);
            listed.SetResult();
        }
    }

    /// <summary>Marks the next deployment that may start in progress; answers its id, or null when none may start.</summary>
    private async Task<Guid?> ClaimAsync(CancellationToken stopping)
    {
        await using var db = await engine.OpenAsync(stopping);
        await using var transaction = await db.Database.BeginTransactionAsync(stopping);
        var next = await db.EnvironmentDeployments.FromSqlRaw(NextQueued).OneOrNoneAsync(stopping);
        if (next is null)
        {
            return null;
        }

        next.State = DeploymentState.DeploymentInProgress;
        next.StartedAt = engine.Now;
        next.Message = null;
        await db.SaveWithEventsAsync([DeploymentQueueing.EnvironmentEvent(next, next.OrganizationId, "DEPLOYMENT_IN_PROGRESS", $"{next.Kind} started.", next.OwnerId, next.StartedAt.Value)], stopping);
        await transaction.CommitAsync(stopping);
        return next.Id;
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
                    await Task.Delay(EngineFailureRetryDelay, engine.Clock, stopping);
                }

                await EndFailedByEngineAsync(deploymentId, stopping);
                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return; // The portal is stopping: its next start ends this deployment (the reconciler).
            }
            catch (Exception exception)
            {
                LogEngineFailureNotRecorded(exception, deploymentId, attempt);
            }
        }
    }

    private async Task EndFailedByEngineAsync(Guid deploymentId, CancellationToken stopping)
    {
        await using var db = await engine.OpenAsync(stopping);
        var deployment = await db.EnvironmentDeployments.Include(d => d.Services).FirstOrDefaultAsync(d => d.Id == deploymentId, stopping);
        if (deployment is null || DeploymentStates.IsFinished(deployment.State))
        {
            return;
        }

        // A release started and not switched to would keep running, unseen, beside the live one.
        var runtime = await engine.Runtimes.ForEnvironmentAsync(db, deployment.EnvironmentId, stopping);
        foreach (var service in deployment.Services.Where(s => s.ServiceType == ServiceType.Application && s.State == DeploymentState.DeploymentInProgress))
        {
            await runtime.DiscardAsync(service.ServiceId, service.Id, stopping);
        }

        var now = engine.Now;
        var transitions = new ServiceTransitions(db, deployment.OrganizationId, now, deployment.Id);
        await Reconciler.CutShortAsync(transitions, deployment, EngineFailedMessage, "The deployment engine failed before this service's deployment started.", now);
        await transitions.SaveAsync(stopping);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The deployment engine failed")]
    private partial void LogEngineFailure(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Deployment {DeploymentId} could not be ended FAILED after the engine failed (attempt {Attempt} of 2)")]
    private partial void LogEngineFailureNotRecorded(Exception exception, Guid deploymentId, int attempt);
}
