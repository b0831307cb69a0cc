using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Platform.Domain.Applications;
using Platform.Domain.Runtime;

namespace Platform.Tests.Support;

/// <summary>
/// An order the fake runtime was given: the member, the application or database it was for, its deployment, the order
/// itself, and the git credentials given beside it (a branch head's question; a fetch order carries its own).
/// </summary>
public sealed record RuntimeCall(string Member, Guid Subject, Guid? DeploymentId = null, object? Order = null, GitCredentials? Credentials = null);

/// <summary>A commit of a fake repository: the version of the sample application it holds.</summary>
public sealed record FakeCommit(string Id, string Message, string Version)
{
    public Commit ToCommit() => new(Id[..7], Id, Message);
}

/// <summary>A repository the fake runtime fetches from: branches of commits, the newest last.</summary>
public sealed class FakeRepository(string url)
{
    private readonly Dictionary<string, List<FakeCommit>> _branches = new(StringComparer.Ordinal);

    public string Url => url;

    public GitSource Source(string branch = "main") => new(url, branch, "/");

    /// <summary>Adds a commit holding that version at the head of the branch; answers its full id.</summary>
    public string Commit(string version, string message, string branch = "main")
    {
        lock (_branches)
        {
            var commits = _branches.TryGetValue(branch, out var found) ? found : _branches[branch] = [];
            // As long as git's ids (40 hex digits), and as stable.
            var id = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{url}\n{branch}\n{commits.Count}\n{version}\n{message}")))[..40].ToLowerInvariant();
            commits.Add(new FakeCommit(id, message, version));
            return id;
        }
    }

    internal FakeCommit? Head(string branch)
    {
        lock (_branches)
        {
            return _branches.TryGetValue(branch, out var commits) ? commits[^1] : null;
        }
    }

    /// <summary>A commit of any branch by its id or an unambiguous prefix of it, as git resolves one.</summary>
    internal FakeCommit? Find(string id)
    {
        lock (_branches)
        {
            var found = _branches.Values.SelectMany(c => c).Where(c => c.Id.StartsWith(id.ToLowerInvariant(), StringComparison.Ordinal)).Distinct().ToList();
            return id.Length >= 4 && found.Count == 1 ? found[0] : null;
        }
    }
}

/// <summary>What each instance of an application consumes in the fake, and how its probe answers.</summary>
public sealed record FakeConsumption(double CpuCores, double MemoryMb, double? StorageGb, bool ProbePasses = true, double ProbeLatencyMs = 5)
{
    public static readonly FakeConsumption Idle = new(0, 0, null);
}

/// <summary>A point a fake command ("hold NAME") waits at until the test opens it.</summary>
public sealed class FakeGate
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once a command waits here.</summary>
    public Task Reached => _reached.Task;

    public void Open() => _opened.TrySetResult();

    internal Task WaitAsync(CancellationToken cancellationToken)
    {
        _reached.TrySetResult();
        return _opened.Task.WaitAsync(cancellationToken);
    }
}

/// <summary>A build the fake made from a fetch: which application's, and the commit it holds.</summary>
public sealed record FakeBuild(Guid ApplicationId, FakeCommit Commit);

/// <summary>A database on the fake's server: its role's password, and whether it takes connections.</summary>
public sealed record FakeDatabase(string Password, bool Open);

/// <summary>
/// What outlives a fake runtime, as the disk and the database server outlive a portal: repositories, kept builds,
/// databases, gates; and every order given to any runtime over it, in order.
/// </summary>
public sealed class FakeRuntimeState
{
    private readonly ConcurrentDictionary<string, FakeRepository> _repositories = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FakeGate> _gates = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RuntimeCall> _calls = new();
    private readonly ConcurrentDictionary<Guid, FakeConsumption> _consumption = new();

    internal ConcurrentDictionary<string, FakeBuild> Builds { get; } = new(StringComparer.Ordinal);

    internal ConcurrentDictionary<string, FakeDatabase> Databases { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<RuntimeCall> Calls => [.. _calls];

    /// <summary>The orders given for an application or a database, oldest first.</summary>
    public IReadOnlyList<RuntimeCall> CallsFor(Guid subject) => Calls.Where(c => c.Subject == subject).ToList();

    /// <summary>The repository at that URL, made empty the first time.</summary>
    public FakeRepository Repository(string url) => _repositories.GetOrAdd(url, u => new FakeRepository(u));

    internal FakeRepository? FindRepository(string url) => _repositories.GetValueOrDefault(url);

    public FakeGate Gate(string name) => _gates.GetOrAdd(name, _ => new FakeGate());

    public IReadOnlyCollection<string> BuildsOf(Guid applicationId) => Builds.Where(b => b.Value.ApplicationId == applicationId).Select(b => b.Key).ToList();

    /// <summary>Deletes a kept build, as pruning the oldest ones does.</summary>
    public void ForgetBuild(string buildId) => Builds.TryRemove(buildId, out _);

    public bool AcceptsConnections(DatabaseOrder order) =>
        Databases.TryGetValue(order.ServerName, out var database) && database.Open && database.Password == order.Password;

    internal void Record(RuntimeCall call) => _calls.Enqueue(call);

    /// <summary>What every instance of the application consumes from now on, as the fake observes it.</summary>
    public void Consume(Guid applicationId, FakeConsumption consumption) => _consumption[applicationId] = consumption;

    internal FakeConsumption ConsumptionOf(Guid applicationId) => _consumption.GetValueOrDefault(applicationId, FakeConsumption.Idle);
}
