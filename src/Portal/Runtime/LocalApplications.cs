using System.Collections.Concurrent;
using Platform.Domain.Runtime;

namespace Platform.Portal.Runtime;

/// <summary>An application as the local runtime runs it: the live release behind the router, and one being started.</summary>
internal sealed class LocalApplication(Guid id)
{
    public int RoundRobin;

    public Guid Id => id;

    public LocalRelease? Current { get; set; }

    public LocalRelease? Pending { get; set; }

    /// <summary>Releases traffic has left, draining until they are stopped (lock the application to touch it).</summary>
    public List<LocalRelease> Retiring { get; } = [];

    /// <summary>Consecutive scaling periods with low CPU, before an instance is removed.</summary>
    public int QuietPeriods { get; set; }
}

/// <summary>The applications the local runtime runs, shared by its orders, its scaler and the router.</summary>
public sealed class LocalApplications
{
    private readonly ConcurrentDictionary<Guid, LocalApplication> _applications = new();

    internal LocalApplication GetOrAdd(Guid applicationId) => _applications.GetOrAdd(applicationId, id => new LocalApplication(id));

    internal bool TryGet(Guid applicationId, out LocalApplication application) => _applications.TryGetValue(applicationId, out application!);

    internal bool TryRemove(Guid applicationId, out LocalApplication application) => _applications.TryRemove(applicationId, out application!);

    internal IReadOnlyList<LocalApplication> All => [.. _applications.Values];

    /// <summary>Forgets every application and answers their releases, live and pending, for the runtime to stop.</summary>
    internal List<LocalRelease> TakeAll()
    {
        var releases = _applications.Values.SelectMany(a =>
        {
            lock (a)
            {
                return new[] { a.Current, a.Pending }.Concat(a.Retiring).ToList();
            }
        }).OfType<LocalRelease>().ToList();
        _applications.Clear();
        return releases;
    }

    /// <summary>The ready instances of an application's live release, for the router.</summary>
    internal IReadOnlyList<LocalInstance> ReadyInstances(Guid applicationId)
    {
        if (!_applications.TryGetValue(applicationId, out var application) || application.Current is not { } current)
        {
            return [];
        }

        lock (current)
        {
            return current.Instances.Where(i => i.State == InstanceState.Ready).ToList();
        }
    }

    internal int NextRoundRobin(Guid applicationId) =>
        _applications.TryGetValue(applicationId, out var application) ? Interlocked.Increment(ref application.RoundRobin) : 0;
}
