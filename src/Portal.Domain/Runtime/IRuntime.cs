using Microsoft.EntityFrameworkCore;
using Platform.Domain.Applications;
using Platform.Domain.Clusters;

namespace Platform.Domain.Runtime;

/// <summary>A commit as deployments and events show it.</summary>
public sealed record Commit(string ShortId, string LongId, string Message);

/// <summary>The environment a service's processes get, and which values are secrets (masked wherever output is kept).</summary>
public sealed record RuntimeVariables(IReadOnlyDictionary<string, string> Values, IReadOnlyCollection<string> SecretValues)
{
    public static readonly RuntimeVariables None = new(new Dictionary<string, string>(), []);
}

/// <summary>
/// Fetch a source at a commit (null: the branch head) into a new build folder. The source's URL carries no secret;
/// <paramref name="Credentials"/> are what git authenticates with (null: none), kept off its command line.
/// </summary>
public sealed record FetchOrder(Guid ApplicationId, Guid DeploymentId, GitSource Source, string? CommitId, GitCredentials? Credentials);

/// <summary>
/// The user and password git sends over http(s), percent-decoding undone. A token given as the URL's user
/// (<c>https://TOKEN@github.com/…</c>) is the <see cref="Username"/>, with an empty <see cref="Password"/>. Both may be
/// secrets, so neither is ever printed.
/// </summary>
public sealed record GitCredentials(string Username, string Password)
{
    public override string ToString() => $"{nameof(GitCredentials)} {{ *** }}";
}

/// <summary>A fetched source: the commit it holds and the build it becomes.</summary>
public sealed record FetchedSource(Commit Commit, string BuildId);

public sealed record BuildOrder(Guid ApplicationId, Guid DeploymentId, string BuildId, string RootPath, string? BuildCommand, RuntimeVariables Variables);

/// <summary>Start a build's instances with these settings and variables.</summary>
public sealed record ReleaseOrder(Guid ApplicationId, Guid DeploymentId, string BuildId, ApplicationSettings Settings, RuntimeVariables Variables);

/// <summary>A database on the runtime's database server: its role, database and password.</summary>
public sealed record DatabaseOrder(Guid DatabaseId, string ServerName, string Password);

public enum InstanceState
{
    Starting,
    Ready,
    Unhealthy,
    Restarting,
    Stopped,
}

/// <summary>One running copy of an application, with what it consumes (the metric source).</summary>
public sealed record InstanceSnapshot(
    string Id,
    Guid DeploymentId,
    InstanceState State,
    int Restarts,
    double CpuCores,
    double MemoryMb,
    DateTimeOffset StartedAt);

/// <summary>What runs of an application now, as the runtime sees it.</summary>
public sealed record ApplicationSnapshot(Guid ApplicationId, Guid? DeploymentId, int Desired, IReadOnlyList<InstanceSnapshot> Instances)
{
    public int Ready => Instances.Count(i => i.State == InstanceState.Ready);
}

/// <summary>A step of a deployment failed; the message is for people and names the cause.</summary>
public sealed class RuntimeFailureException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The orders a runtime takes (PRODUCT.md section 6). The local runtime carries them out with processes on this host;
/// a Kubernetes runtime takes the same orders per cluster. Cancelling a token aborts the step in flight (kills the
/// build or the starting instances) and leaves what served before serving. Failures throw
/// <see cref="RuntimeFailureException"/>.
/// </summary>
public interface IRuntime
{
    /// <summary>Why this runtime cannot run applications now (its sandbox cannot be had here), with how to fix it; null when it can.</summary>
    string? UnavailableReason { get; }

    Task<FetchedSource> FetchAsync(FetchOrder order, CancellationToken cancellationToken);

    Task BuildAsync(BuildOrder order, CancellationToken cancellationToken);

    /// <summary>Whether a build kept from an earlier deployment still exists, so a rollback can skip building.</summary>
    Task<bool> HasBuildAsync(string buildId, CancellationToken cancellationToken);

    /// <summary>Starts the release's instances and waits until each passes its readiness probe; the old ones keep serving.</summary>
    Task StartAsync(ReleaseOrder order, CancellationToken cancellationToken);

    /// <summary>Routes traffic to the release started last, then stops the instances of the previous one.</summary>
    Task PromoteAsync(Guid applicationId, Guid deploymentId, CancellationToken cancellationToken);

    /// <summary>Stops the instances of a release that was started but not promoted (a failed or aborted deployment).</summary>
    Task DiscardAsync(Guid applicationId, Guid deploymentId, CancellationToken cancellationToken);

    /// <summary>Stops every instance of the application and removes it from the router.</summary>
    Task StopAsync(Guid applicationId, CancellationToken cancellationToken);

    ApplicationSnapshot? Observe(Guid applicationId);

    /// <summary>The stable address the router serves the application at.</summary>
    Uri UrlOf(Guid applicationId, string name);

    Task DeployDatabaseAsync(DatabaseOrder order, CancellationToken cancellationToken);

    /// <summary>Refuses new connections and ends open ones; the data stays.</summary>
    Task StopDatabaseAsync(DatabaseOrder order, CancellationToken cancellationToken);

    Task DeleteDatabaseAsync(DatabaseOrder order, CancellationToken cancellationToken);

    /// <summary>Stops every instance of a deleted application and removes all it kept (its sources, builds and files).</summary>
    Task DeleteApplicationAsync(Guid applicationId, CancellationToken cancellationToken);
}

/// <summary>Chooses the runtime that carries out a cluster's orders.</summary>
public interface IRuntimes
{
    IRuntime ForCluster(ClusterKind kind);
}

public static class RuntimesExtensions
{
    /// <summary>The runtime of an environment's cluster.</summary>
    public static async Task<IRuntime> ForEnvironmentAsync(this IRuntimes runtimes, Common.PlatformDbContext db, Guid environmentId, CancellationToken cancellationToken = default) =>
        runtimes.ForCluster(await db.Environments.Where(e => e.Id == environmentId).Select(e => e.Cluster!.Kind).FirstAsync(cancellationToken));

    /// <summary>The runtime of a cluster known by its id (an environment's ClusterId).</summary>
    public static async Task<IRuntime> ForClusterAsync(this IRuntimes runtimes, Common.PlatformDbContext db, Guid clusterId) =>
        runtimes.ForCluster(await db.Clusters.Where(c => c.Id == clusterId).Select(c => c.Kind).FirstAsync());
}

/// <summary>What supervision reports about a running application (crash, restart, out of memory, scaling).</summary>
public sealed record RuntimeNotice(Guid ApplicationId, string State, Services.SimpleState SimpleState, string Message);

/// <summary>Where a runtime reports what happens to running applications; the domain records them as events.</summary>
public interface IRuntimeNotices
{
    void Report(RuntimeNotice notice);
}
