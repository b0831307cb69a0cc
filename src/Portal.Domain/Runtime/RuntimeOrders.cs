using Platform.Domain.Applications;

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

/// <summary>The last answer of an instance's readiness probe: whether it passed, how long it took, and when.</summary>
public sealed record ProbeResult(bool Passed, double LatencyMs, DateTimeOffset At);

/// <summary>
/// One running copy of an application, with what it consumes (the metric source): CPU in cores and memory in MB of its
/// processes and their children, the storage its files take in GB (its share of the build and its private temporary
/// folder; null when the runtime has not measured it yet), and its probe's last answer (null before the first).
/// </summary>
public sealed record InstanceSnapshot(
    string Id,
    Guid DeploymentId,
    InstanceState State,
    int Restarts,
    double CpuCores,
    double MemoryMb,
    DateTimeOffset StartedAt)
{
    /// <summary>
    /// The instance's place in its release, from 1: the lowest not taken by a running instance, so a replacement takes
    /// the place of the one it replaces. Metrics name series by it ("instance 1"), as ids change with every release.
    /// </summary>
    public int Slot { get; init; } = 1;

    public double? StorageGb { get; init; }

    public ProbeResult? LastProbe { get; init; }
}

/// <summary>What runs of an application now, as the runtime sees it.</summary>
public sealed record ApplicationSnapshot(Guid ApplicationId, Guid? DeploymentId, int Desired, IReadOnlyList<InstanceSnapshot> Instances)
{
    public int Ready => Instances.Count(i => i.State == InstanceState.Ready);
}

/// <summary>A step of a deployment failed; the message is for people and names the cause.</summary>
public sealed class RuntimeFailureException(string message, Exception? inner = null) : Exception(message, inner);
