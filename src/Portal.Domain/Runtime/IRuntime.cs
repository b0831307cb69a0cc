using Microsoft.EntityFrameworkCore;
using Platform.Domain.Applications;
using Platform.Domain.Clusters;
using Platform.Domain.Databases;

namespace Platform.Domain.Runtime;

/// <summary>
/// The orders a runtime takes (PRODUCT.md section 6): the contract the local runtime implements with processes on this
/// host, and a Kubernetes runtime will implement with a cluster's API. The abstract test suite <c>RuntimeContract</c>
/// states it; every implementation passes it. Its promises:
/// <list type="bullet">
/// <item>The engine gives one application's orders one at a time; different applications' orders may come at once.</item>
/// <item>Every member that may touch a disk, a process or the network is async and takes a token. Cancelling it aborts
/// the step in flight (a build or starting instances are stopped) and leaves what served before serving; it then throws
/// <see cref="OperationCanceledException"/>.</item>
/// <item>A failure a user can act on throws <see cref="RuntimeFailureException"/>, its message for people; nothing a
/// runtime says names a secret.</item>
/// <item>A release runs as Fetch, Build, Start, Promote. Start leaves the live release serving; Promote sends traffic to
/// the release started last, then stops the one before it; Discard stops a release started but not promoted, and does
/// nothing when there is none. Stop and DeleteApplication may be given for what does not run.</item>
/// <item>Observe answers what runs now (null when nothing does) and changes nothing.</item>
/// <item>Database orders may be repeated: deploying a deployed database opens it, stopping a stopped one or deleting a
/// missing one does nothing.</item>
/// <item>The runtime says where applications reach its databases, and why it cannot run applications now.</item>
/// </list>
/// </summary>
public interface IRuntime
{
    /// <summary>Why this runtime cannot run applications now (its sandbox cannot be had here), with how to fix it; null when it can.</summary>
    string? UnavailableReason { get; }

    /// <summary>Fetches the source at the commit asked for (the branch head when none) into a new build; answers the commit and the build.</summary>
    Task<FetchedSource> FetchAsync(FetchOrder order, CancellationToken cancellationToken);

    /// <summary>
    /// The commit the source's branch points at now, asked of the repository without fetching it (git ls-remote). A
    /// repository that cannot be reached, or a branch it lacks, throws <see cref="RuntimeFailureException"/> with the reason.
    /// </summary>
    Task<string> BranchHeadAsync(Guid applicationId, GitSource source, GitCredentials? credentials, CancellationToken cancellationToken);

    /// <summary>Runs the build command in the fetched build; a build without one is done at once.</summary>
    Task BuildAsync(BuildOrder order, CancellationToken cancellationToken);

    /// <summary>Whether a build kept from an earlier deployment still exists, so a rollback can skip building.</summary>
    Task<bool> HasBuildAsync(string buildId, CancellationToken cancellationToken);

    /// <summary>Starts the release's instances and waits until each passes its readiness probe; the old ones keep serving.</summary>
    Task StartAsync(ReleaseOrder order, CancellationToken cancellationToken);

    /// <summary>
    /// Routes traffic to the release started last, and answers once it has; the previous release stops after its
    /// drain (requests on their way to it finish), off the caller's path, or at once when there is no drain.
    /// </summary>
    Task PromoteAsync(Guid applicationId, Guid deploymentId, CancellationToken cancellationToken);

    /// <summary>Stops the instances of a release that was started but not promoted (a failed or aborted deployment).</summary>
    Task DiscardAsync(Guid applicationId, Guid deploymentId, CancellationToken cancellationToken);

    /// <summary>Stops every instance of the application and takes it out of the router.</summary>
    Task StopAsync(Guid applicationId, CancellationToken cancellationToken);

    /// <summary>Stops every instance of a deleted application and removes all it kept (its sources, builds and files).</summary>
    Task DeleteApplicationAsync(Guid applicationId, CancellationToken cancellationToken);

    /// <summary>What runs of the application now: its live release's instances and what they consume; null when nothing runs.</summary>
    Task<ApplicationSnapshot?> ObserveAsync(Guid applicationId, CancellationToken cancellationToken);

    /// <summary>The stable address the router serves the application at (computed, not looked up).</summary>
    Uri UrlOf(Guid applicationId, string name);

    /// <summary>Creates the database and its role, or opens them to connections again.</summary>
    Task DeployDatabaseAsync(DatabaseOrder order, CancellationToken cancellationToken);

    /// <summary>Refuses new connections and ends open ones; the data stays.</summary>
    Task StopDatabaseAsync(DatabaseOrder order, CancellationToken cancellationToken);

    /// <summary>Drops the database and its role, with the data.</summary>
    Task DeleteDatabaseAsync(DatabaseOrder order, CancellationToken cancellationToken);

    /// <summary>Where applications of this runtime reach its databases (their DATABASE_*_HOST and _PORT).</summary>
    Task<DatabaseServerAddress> DatabaseAddressAsync(CancellationToken cancellationToken);
}

/// <summary>Chooses the runtime that carries out a cluster's orders, from the cluster itself (its kind and its runtime's settings).</summary>
public interface IRuntimes
{
    IRuntime ForCluster(Cluster cluster);
}

public static class RuntimesExtensions
{
    /// <summary>The runtime of an environment's cluster.</summary>
    public static async Task<IRuntime> ForEnvironmentAsync(this IRuntimes runtimes, Common.PlatformDbContext db, Guid environmentId, CancellationToken cancellationToken = default) =>
        runtimes.ForCluster(await db.Environments.AsNoTracking().Where(e => e.Id == environmentId).Select(e => e.Cluster!).FirstAsync(cancellationToken));
}
