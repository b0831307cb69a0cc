using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Applications;
using Platform.Domain.Common;
using Platform.Domain.Logs;
using Platform.Domain.Runtime;
using Platform.Domain.Variables;

namespace Platform.Domain.Deployments;

/// <summary>What the engine's parts (the queue claimer, a deployment's run, a service's run, the reconciler) share.</summary>
public sealed class EngineContext(
    IDbContextFactory<PlatformDbContext> dbFactory,
    IRuntimes runtimes,
    DeploymentSignals signals,
    ISecretProtector protector,
    IServiceScopeFactory scopes,
    ILogSink logs,
    TimeProvider clock)
{
    internal IRuntimes Runtimes => runtimes;

    internal DeploymentSignals Signals => signals;

    internal ISecretProtector Protector => protector;

    internal TimeProvider Clock => clock;

    internal DateTimeOffset Now => clock.GetUtcNow();

    internal Task<PlatformDbContext> OpenAsync(CancellationToken cancellationToken = default) => dbFactory.CreateDbContextAsync(cancellationToken);

    /// <summary>The runtime of an environment's cluster.</summary>
    internal async Task<IRuntime> RuntimeOfAsync(Guid environmentId, CancellationToken cancellationToken = default)
    {
        await using var db = await OpenAsync(cancellationToken);
        return await runtimes.ForEnvironmentAsync(db, environmentId, cancellationToken);
    }

    /// <summary>Changes a service deployment (and, through the transitions, its service) in one save.</summary>
    internal async Task UpdateAsync(Guid serviceDeploymentId, Func<ServiceDeployment, ServiceTransitions, PlatformDbContext, Task> change)
    {
        await using var db = await OpenAsync();
        var deployment = await db.ServiceDeployments.FirstAsync(s => s.Id == serviceDeploymentId);
        var transitions = new ServiceTransitions(db, deployment.OrganizationId, Now, deployment.EnvironmentDeploymentId);
        await change(deployment, transitions, db);
        await transitions.SaveAsync();
    }

    internal string ProtectVariables(RuntimeVariables variables) => protector.Protect(JsonSerializer.Serialize(variables));

    internal RuntimeVariables UnprotectVariables(string? protectedVariables) => protectedVariables is null
        ? RuntimeVariables.None
        : JsonSerializer.Deserialize<RuntimeVariables>(protector.Unprotect(protectedVariables)) ?? RuntimeVariables.None;

    /// <summary>The fetch order of a release: its source without the secret, the credentials beside it (<see cref="GitAccess"/>).</summary>
    internal FetchOrder FetchOrderFor(Guid applicationId, Guid deploymentId, GitSource source, string? protectedGitSecret, string? commitId)
    {
        var (plain, credentials) = GitAccess.For(source, protectedGitSecret, protector);
        return new FetchOrder(applicationId, deploymentId, plain, commitId, credentials);
    }

    internal async Task<RuntimeVariables> ResolveVariablesAsync(Guid applicationId)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<VariableService>().ResolveForRuntimeAsync(applicationId);
    }

    /// <summary>A line of the platform's own in the service's log, tied to the deployment.</summary>
    internal void Say(Guid serviceId, Guid deploymentId, string message) =>
        logs.Write(new LogEntry(serviceId, deploymentId, "platform", LogStream.System, message, Now));

    internal static Commit? CommitOf(ServiceDeployment d) =>
        d.CommitLongId is null ? null : new Commit(d.CommitShortId!, d.CommitLongId, d.CommitMessage ?? "");
}
