using Microsoft.EntityFrameworkCore;
using Platform.Domain.Applications;
using Platform.Domain.Common;
using Platform.Domain.Runtime;
using Platform.Domain.Services;

namespace Platform.Domain.Deployments;

/// <summary>
/// One service deployment carried out step by step, each step recorded with its timing and each change of the
/// service an event. Running a release (fetch, build, start, switch) is <see cref="RunReleaseAsync"/>, which a deploy,
/// a restart, a rollback and the restore after a portal restart all go through.
/// </summary>
internal sealed partial class ServiceRun(EngineContext engine, IRuntime runtime, ServiceDeployment deployment, Guid? ownerId)
{
    private string? _step;
    private bool _releaseStarted;
    private Commit? _commit;

    /// <summary>A restart found nothing running (a stop ran before it in the queue): the service stays STOPPED.</summary>
    private bool _notRunning;

    /// <summary>Every instance of the application was stopped (its environment was archived meanwhile): nothing serves.</summary>
    private bool _stoppedAll;

    public async Task ExecuteAsync(CancellationToken abort)
    {
        await engine.UpdateAsync(deployment.Id, (d, _, _) =>
        {
            d.State = DeploymentState.DeploymentInProgress;
            d.StartedAt = engine.Now;
            return Task.CompletedTask;
        });

        switch (deployment.ServiceType, deployment.Action)
        {
            case (ServiceType.Application, ServiceAction.Stop):
                await BeginAsync(DeploymentSteps.Stop, ServiceState.Stopping, "Stopping its instances.");
                await runtime.StopAsync(deployment.ServiceId, abort);
                await EndAsync(DeploymentSteps.Stop, StepState.Done);
                await SucceedAsync(ServiceState.Stopped, "Stopped.", live: false);
                break;
            case (ServiceType.Application, ServiceAction.Delete):
                await BeginAsync(DeploymentSteps.Delete, ServiceState.Deleting, "Stopping its instances and removing its sources and builds.");
                await runtime.DeleteApplicationAsync(deployment.ServiceId, abort);
                await EndAsync(DeploymentSteps.Delete, StepState.Done);
                await DeletedAsync($"Application {deployment.ServiceName} deleted.");
                break;
            case (ServiceType.Application, _):
                await DeployApplicationAsync(abort);
                break;
            default:
                await RunDatabaseAsync(abort);
                break;
        }
    }

    private async Task DeployApplicationAsync(CancellationToken abort)
    {
        await using var db = await engine.OpenAsync(abort);
        var application = await db.Applications.AsNoTracking().FirstOrDefaultAsync(a => a.Id == deployment.ServiceId, abort)
            ?? throw new RuntimeFailureException("The application was deleted.");
        var restart = deployment.Action == ServiceAction.Restart;
        var sourceId = deployment.SourceDeploymentId ?? (restart ? application.LiveDeploymentId : null);
        var source = sourceId is null ? null : await db.ServiceDeployments.AsNoTracking().FirstOrDefaultAsync(s => s.Id == sourceId, abort);
        if (restart && source is null)
        {
            throw NotRunning(application.Name);
        }

        // A rollback (and a restore) runs the release it names as it ran; a restart runs today's settings and variables on the live build.
        var again = deployment.SourceDeploymentId is not null && source?.Settings is not null;
        var release = again
            ? new Release(source!.Settings!, engine.UnprotectVariables(source.ProtectedVariables), source.ProtectedGitSecret)
            : new Release(application.Settings, await engine.ResolveVariablesAsync(application.Id), application.ProtectedGitSecret);
        _commit = source is null ? null : EngineContext.CommitOf(source);
        var kept = source?.BuildId is { } id && await runtime.HasBuildAsync(id, abort) ? id : null;
        var buildId = await RunReleaseAsync(application.Id, release, kept, fetchQuietly: restart, abort);

        var archived = await db.Applications.Where(a => a.Id == application.Id)
            .Select(a => (bool?)a.Environment!.Archived).FirstOrDefaultAsync(CancellationToken.None);
        if (archived is not false)
        {
            // Deleted, or its environment archived, while it was being deployed: nothing may keep running in its name.
            await runtime.StopAsync(application.Id, CancellationToken.None);
            _stoppedAll = true;
            throw new RuntimeFailureException(archived is null
                ? "The application was deleted while it was being deployed; its instances were stopped."
                : "The environment was archived while this application was being deployed; its instances were stopped.");
        }

        await EndAsync(DeploymentSteps.Switch, StepState.Done);
        var protectedVariables = engine.ProtectVariables(release.Variables);
        await SucceedAsync(ServiceState.Running, $"Running commit {_commit?.ShortId}.", live: true, d =>
        {
            d.Settings = release.Settings;
            d.ProtectedVariables = protectedVariables;
            d.ProtectedGitSecret = release.ProtectedGitSecret;
            d.BuildId = buildId;
        });
    }

    /// <summary>What a release runs: its settings, its resolved variables, its repository's secret (encrypted).</summary>
    private sealed record Release(ApplicationSettings Settings, RuntimeVariables Variables, string? ProtectedGitSecret);

    /// <summary>
    /// Runs a release: from the kept build when there is one, else fetched and built; then its instances started
    /// until ready, and traffic switched to them. Answers the build it runs from. The switch step is left running for
    /// the caller to close once it has checked the service may stay up.
    /// </summary>
    private async Task<string> RunReleaseAsync(Guid applicationId, Release release, string? keptBuild, bool fetchQuietly, CancellationToken abort)
    {
        var buildId = keptBuild;
        if (buildId is not null && deployment.Steps.Any(s => s.Name == DeploymentSteps.Fetch))
        {
            await EndAsync(DeploymentSteps.Fetch, StepState.Skipped);
            await EndAsync(DeploymentSteps.Build, StepState.Skipped);
            engine.Say(applicationId, deployment.Id, $"Using the kept build of commit {_commit?.ShortId}.");
        }
        else if (buildId is null)
        {
            buildId = await FetchAndBuildAsync(applicationId, release, _commit?.LongId ?? deployment.RequestedCommitId, fetchQuietly, abort);
        }

        var instances = Math.Max(1, release.Settings.MinRunningInstances);
        await BeginAsync(DeploymentSteps.Start, deployment.Action == ServiceAction.Restart ? ServiceState.Restarting : ServiceState.Deploying,
            $"Starting {instances} instance{(instances == 1 ? "" : "s")} of commit {_commit?.ShortId} and waiting until {(instances == 1 ? "it is" : "they are")} ready.");
        _releaseStarted = true;
        await runtime.StartAsync(new ReleaseOrder(applicationId, deployment.Id, buildId, release.Settings, release.Variables), abort);
        await EndAsync(DeploymentSteps.Start, StepState.Done);

        await BeginAsync(DeploymentSteps.Switch, null, null);
        await runtime.PromoteAsync(applicationId, deployment.Id, CancellationToken.None);
        _releaseStarted = false;
        return buildId;
    }

    private async Task<string> FetchAndBuildAsync(Guid applicationId, Release release, string? commitId, bool quiet, CancellationToken abort)
    {
        var settings = release.Settings;
        if (!quiet)
        {
            await BeginAsync(DeploymentSteps.Fetch, ServiceState.Building, $"Fetching {settings.GitRepository.Branch}{(commitId is null ? "" : $" at {commitId}")}.");
        }

        var fetched = await runtime.FetchAsync(engine.FetchOrderFor(applicationId, deployment.Id, settings.GitRepository, release.ProtectedGitSecret, commitId), abort);
        _commit = fetched.Commit;
        if (!quiet)
        {
            await EndAsync(DeploymentSteps.Fetch, StepState.Done);
            await BeginAsync(DeploymentSteps.Build, ServiceState.Building, $"Building commit {_commit.ShortId}.");
        }

        await runtime.BuildAsync(new BuildOrder(applicationId, deployment.Id, fetched.BuildId, settings.GitRepository.RootPath, settings.BuildCommand, release.Variables), abort);
        if (!quiet)
        {
            await EndAsync(DeploymentSteps.Build, settings.BuildCommand is null ? StepState.Skipped : StepState.Done);
        }

        return fetched.BuildId;
    }

    public async Task FailedAsync(string reason)
    {
        if (_releaseStarted)
        {
            await runtime.DiscardAsync(deployment.ServiceId, deployment.Id, CancellationToken.None);
        }

        // A restart that failed after it closed the database leaves it closed, STOPPED, and says so (its live
        // release stays, so a deploy or a restart opens it again); a failed stop is a STOP_ERROR.
        var leftClosed = _databaseClosed && deployment.Action != ServiceAction.Stop;
        var state = _step switch
        {
            _ when _stoppedAll || leftClosed || _notRunning => ServiceState.Stopped,
            DeploymentSteps.Fetch or DeploymentSteps.Build => ServiceState.BuildError,
            DeploymentSteps.Stop when deployment.Action == ServiceAction.Stop => ServiceState.StopError,
            _ => ServiceState.DeploymentError,
        };
        var message = deployment.Action == ServiceAction.Delete ? $"It could not be deleted: {reason} Delete it again to finish." : reason;
        engine.Say(deployment.ServiceId, deployment.Id, reason);
        await engine.UpdateAsync(deployment.Id, async (d, transitions, _) =>
        {
            Finish(d, DeploymentState.Failed, reason);
            await transitions.SetAsync(d.ServiceType, d.ServiceId, state, message, ownerId, _commit, row =>
            {
                if (_stoppedAll)
                {
                    row.LiveDeploymentId = null;
                }
                else if (leftClosed)
                {
                    row.StateMessage = $"{reason} {LeftClosed}";
                }
                else if (row.LiveDeploymentId is not null && state != ServiceState.StopError && d.Action != ServiceAction.Delete)
                {
                    row.StateMessage = $"{reason} The previous version is still serving.";
                }
            });
        });
    }

    public async Task AbortedAsync()
    {
        if (_releaseStarted)
        {
            await runtime.DiscardAsync(deployment.ServiceId, deployment.Id, CancellationToken.None);
        }

        engine.Say(deployment.ServiceId, deployment.Id, "Aborted.");
        await engine.UpdateAsync(deployment.Id, async (d, transitions, _) =>
        {
            Finish(d, DeploymentState.Aborted, "Aborted.");
            if (_databaseClosed)
            {
                // Not "what ran before still runs": the database may refuse connections since its Stop step.
                await transitions.SetAsync(d.ServiceType, d.ServiceId, ServiceState.Stopped, $"Deployment aborted. {LeftClosed}", ownerId, null);
            }
            else if (d.ServiceType == ServiceType.Application && d.Action is ServiceAction.Stop or ServiceAction.Delete && _step is DeploymentSteps.Stop or DeploymentSteps.Delete)
            {
                // Its instances were being stopped when the abort came: finish that rather than claim they still serve.
                await runtime.StopAsync(d.ServiceId, CancellationToken.None);
                await transitions.SetAsync(d.ServiceType, d.ServiceId, ServiceState.Stopped, "Aborted after its instances had begun to stop: it is stopped.",
                    ownerId, null, row => row.LiveDeploymentId = null);
            }
            else
            {
                await transitions.RestoreAsync(d, ownerId, "Deployment aborted.");
            }
        });
    }

    private async Task SucceedAsync(ServiceState state, string message, bool live, Action<ServiceDeployment>? also = null)
    {
        engine.Say(deployment.ServiceId, deployment.Id, message);
        await engine.UpdateAsync(deployment.Id, async (d, transitions, _) =>
        {
            Finish(d, DeploymentState.Ok, message);
            also?.Invoke(d);
            var now = engine.Now;
            await transitions.SetAsync(d.ServiceType, d.ServiceId, state, message, ownerId, _commit, row =>
            {
                row.LiveDeploymentId = live ? d.Id : null;
                if (live)
                {
                    row.MarkDeployed(now);
                }
            });
        });
    }

    /// <summary>The service is gone from the runtime: its deployment ends OK and its row goes, with a DELETED event.</summary>
    private Task DeletedAsync(string message) => engine.UpdateAsync(deployment.Id, async (d, transitions, db) =>
    {
        Finish(d, DeploymentState.Ok, message);
        await transitions.DeleteAsync(d.ServiceType, d.ServiceId, message, ownerId);
    });

    private void Finish(ServiceDeployment d, DeploymentState state, string message)
    {
        d.End(state, message, engine.Now);
        Record(d);
    }

    private Task BeginAsync(string step, ServiceState? state, string? message)
    {
        _step = step;
        if (message is not null)
        {
            engine.Say(deployment.ServiceId, deployment.Id, message);
        }

        return engine.UpdateAsync(deployment.Id, async (d, transitions, _) =>
        {
            var now = engine.Now;
            d.Steps = d.Steps.Select(s => s.Name == step ? s with { State = StepState.Running, StartedAt = now, FinishedAt = null } : s).ToList();
            Record(d);
            if (state is { } target)
            {
                await transitions.SetAsync(d.ServiceType, d.ServiceId, target, message ?? ServiceStatus.Name(target), ownerId, _commit);
            }
        });
    }

    private Task EndAsync(string step, StepState state) => engine.UpdateAsync(deployment.Id, (d, _, _) =>
    {
        var now = engine.Now;
        d.Steps = d.Steps.Select(s => s.Name == step ? s with { State = state, StartedAt = s.StartedAt ?? now, FinishedAt = now } : s).ToList();
        Record(d);
        return Task.CompletedTask;
    });

    /// <summary>Keeps the commit on the deployment as soon as it is known.</summary>
    private void Record(ServiceDeployment d)
    {
        if (_commit is not null && d.CommitLongId is null)
        {
            d.CommitShortId = _commit.ShortId;
            d.CommitLongId = _commit.LongId;
            d.CommitMessage = Texts.Cut(_commit.Message, 1000);
        }
    }

    /// <summary>
    /// A restart queued behind a stop finds no live release: restarting would deploy something new (an
    /// application's branch head) under the name of a restart, so it fails and leaves the service stopped.
    /// </summary>
    private RuntimeFailureException NotRunning(string name)
    {
        _notRunning = true;
        return new RuntimeFailureException($"{name} is not running any more: deploy it instead of restarting it.");
    }
}
