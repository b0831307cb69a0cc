using Platform.Domain.Common;
using Microsoft.EntityFrameworkCore;
using Platform.Domain.Applications;
using Platform.Domain.Runtime;
using Platform.Domain.Services;

namespace Platform.Domain.Deployments;

public sealed partial class DeploymentEngine
{
    /// <summary>One service deployment carried out step by step, each step recorded with its timing.</summary>
    private sealed class ServiceRun(DeploymentEngine engine, IRuntime runtime, ServiceDeployment deployment, Guid? ownerId)
    {
        private const string LeftClosed = "The database was left closed to connections, its data kept: deploy or restart it to open it again.";

        private string? _step;
        private bool _releaseStarted;
        private Commit? _commit;

        /// <summary>
        /// The database's Stop step began (a stop, or the first half of a restart), and no Provision has opened it
        /// since: it may refuse connections, whatever it did before this deployment.
        /// </summary>
        private bool _databaseClosed;

        /// <summary>A restart found nothing running (a stop ran before it in the queue): the service stays STOPPED.</summary>
        private bool _notRunning;

        /// <summary>Every instance of the application was stopped (its environment was archived meanwhile): nothing serves.</summary>
        private bool _stoppedAll;

        public async Task ExecuteAsync(CancellationToken abort)
        {
            await engine.UpdateAsync(deployment.Id, (d, _) =>
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
                case (ServiceType.Application, _):
                    await DeployApplicationAsync(abort);
                    break;
                case (ServiceType.Database, ServiceAction.Stop):
                    await BeginAsync(DeploymentSteps.Stop, ServiceState.Stopping, "Refusing new connections.");
                    _databaseClosed = true;
                    await runtime.StopDatabaseAsync((await DatabaseAsync()).RuntimeOrder(engine.protector), abort);
                    await EndAsync(DeploymentSteps.Stop, StepState.Done);
                    await SucceedAsync(ServiceState.Stopped, "Stopped: it refuses connections; its data is kept.", live: false);
                    break;
                default:
                    var database = await DatabaseAsync();
                    var order = database.RuntimeOrder(engine.protector);
                    if (deployment.Action == ServiceAction.Restart)
                    {
                        if (database.LiveDeploymentId is null)
                        {
                            throw NotRunning(database.Name);
                        }

                        await BeginAsync(DeploymentSteps.Stop, ServiceState.Restarting, "Closing its connections.");
                        _databaseClosed = true;
                        await runtime.StopDatabaseAsync(order, abort);
                        await EndAsync(DeploymentSteps.Stop, StepState.Done);
                    }

                    await BeginAsync(DeploymentSteps.Provision, ServiceState.Deploying, "Creating the database and its role, or opening them to connections.");
                    await runtime.DeployDatabaseAsync(order, abort);
                    _databaseClosed = false;
                    await EndAsync(DeploymentSteps.Provision, StepState.Done);
                    await SucceedAsync(ServiceState.Running, "Accepting connections.", live: true);
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

            // A rollback runs the release it names as it ran; a restart runs today's settings and variables on the live build.
            var rollback = deployment.SourceDeploymentId is not null && source?.Settings is not null;
            var settings = rollback ? source!.Settings! : application.Settings;
            var gitSecret = rollback ? source!.ProtectedGitSecret : application.ProtectedGitSecret;
            var variables = rollback ? engine.UnprotectVariables(source!.ProtectedVariables) : await engine.ResolveVariablesAsync(application.Id);
            _commit = source is null ? null : CommitOf(source);
            var buildId = source?.BuildId is { } kept && runtime.HasBuild(kept) ? kept : null;

            if (buildId is not null && !restart)
            {
                await EndAsync(DeploymentSteps.Fetch, StepState.Skipped);
                await EndAsync(DeploymentSteps.Build, StepState.Skipped);
                engine.Say(application.Id, deployment.Id, $"Using the kept build of commit {_commit?.ShortId}.");
            }
            else if (buildId is null)
            {
                buildId = await FetchAndBuildAsync(application.Id, settings, gitSecret, variables, _commit?.LongId ?? deployment.RequestedCommitId, restart, abort);
            }

            var instances = Math.Max(1, settings.MinRunningInstances);
            await BeginAsync(DeploymentSteps.Start, restart ? ServiceState.Restarting : ServiceState.Deploying,
                $"Starting {instances} instance{(instances == 1 ? "" : "s")} of commit {_commit?.ShortId} and waiting until {(instances == 1 ? "it is" : "they are")} ready.");
            _releaseStarted = true;
            await runtime.StartAsync(new ReleaseOrder(application.Id, deployment.Id, buildId, settings, variables), abort);
            await EndAsync(DeploymentSteps.Start, StepState.Done);

            await BeginAsync(DeploymentSteps.Switch, null, null);
            await runtime.PromoteAsync(application.Id, deployment.Id, CancellationToken.None);
            _releaseStarted = false;
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
            var protectedVariables = engine.ProtectVariables(variables);
            await SucceedAsync(ServiceState.Running, $"Running commit {_commit?.ShortId}.", live: true, d =>
            {
                d.Settings = settings;
                d.ProtectedVariables = protectedVariables;
                d.ProtectedGitSecret = gitSecret;
                d.BuildId = buildId;
            });
        }

        private async Task<string> FetchAndBuildAsync(
            Guid applicationId, ApplicationSettings settings, string? gitSecret, RuntimeVariables variables, string? commitId, bool quiet, CancellationToken abort)
        {
            if (!quiet)
            {
                await BeginAsync(DeploymentSteps.Fetch, ServiceState.Building, $"Fetching {settings.GitRepository.Branch}{(commitId is null ? "" : $" at {commitId}")}.");
            }

            var fetched = await runtime.FetchAsync(engine.FetchOrderFor(applicationId, deployment.Id, settings.GitRepository, gitSecret, commitId), abort);
            _commit = fetched.Commit;
            if (!quiet)
            {
                await EndAsync(DeploymentSteps.Fetch, StepState.Done);
                await BeginAsync(DeploymentSteps.Build, ServiceState.Building, $"Building commit {_commit.ShortId}.");
            }

            await runtime.BuildAsync(new BuildOrder(applicationId, deployment.Id, fetched.BuildId, settings.GitRepository.RootPath, settings.BuildCommand, variables), abort);
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
                await runtime.DiscardAsync(deployment.ServiceId, deployment.Id);
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
            engine.Say(deployment.ServiceId, deployment.Id, reason);
            await engine.UpdateAsync(deployment.Id, async (d, transitions) =>
            {
                Finish(d, DeploymentState.Failed, reason, StepState.Failed);
                await transitions.SetAsync(d.ServiceType, d.ServiceId, state, reason, ownerId, _commit, row =>
                {
                    if (_stoppedAll)
                    {
                        row.LiveDeploymentId = null;
                    }
                    else if (leftClosed)
                    {
                        row.Message = $"{reason} {LeftClosed}";
                    }
                    else if (row.LiveDeploymentId is not null && state != ServiceState.StopError)
                    {
                        row.Message = $"{reason} The previous version is still serving.";
                    }
                });
            });
        }

        public async Task AbortedAsync()
        {
            if (_releaseStarted)
            {
                await runtime.DiscardAsync(deployment.ServiceId, deployment.Id);
            }

            engine.Say(deployment.ServiceId, deployment.Id, "Aborted.");
            await engine.UpdateAsync(deployment.Id, async (d, transitions) =>
            {
                Finish(d, DeploymentState.Aborted, "Aborted.", StepState.Aborted);
                if (_databaseClosed)
                {
                    // Not "what ran before still runs": the database may refuse connections since its Stop step.
                    await transitions.SetAsync(d.ServiceType, d.ServiceId, ServiceState.Stopped, $"Deployment aborted. {LeftClosed}", ownerId, null);
                }
                else if (d.ServiceType == ServiceType.Application && d.Action == ServiceAction.Stop && _step == DeploymentSteps.Stop)
                {
                    // Its instances were being stopped when the abort came: finish that rather than claim they still serve.
                    await runtime.StopAsync(d.ServiceId, CancellationToken.None);
                    await transitions.SetAsync(d.ServiceType, d.ServiceId, ServiceState.Stopped, "Stop aborted after its instances had begun to stop: it is stopped.",
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
            await engine.UpdateAsync(deployment.Id, async (d, transitions) =>
            {
                Finish(d, DeploymentState.Ok, message, StepState.Done);
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

        private void Finish(ServiceDeployment d, DeploymentState state, string message, StepState stepState)
        {
            var now = engine.Now;
            d.State = state;
            d.Message = message;
            d.FinishedAt = now;
            d.Steps = DeploymentSteps.Close(d.Steps, stepState, now);
            Record(d);
        }

        private Task BeginAsync(string step, ServiceState? state, string? message)
        {
            _step = step;
            if (message is not null)
            {
                engine.Say(deployment.ServiceId, deployment.Id, message);
            }

            return engine.UpdateAsync(deployment.Id, async (d, transitions) =>
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

        private Task EndAsync(string step, StepState state) => engine.UpdateAsync(deployment.Id, (d, _) =>
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

        private async Task<Databases.ManagedDatabase> DatabaseAsync()
        {
            await using var db = await engine.OpenAsync();
            return await db.Databases.AsNoTracking().FirstOrDefaultAsync(d => d.Id == deployment.ServiceId)
                ?? throw new RuntimeFailureException("The database was deleted.");
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
}
