using Platform.Domain.Applications;
using Platform.Domain.Runtime;
using Platform.Portal.Runtime.Sandbox;

namespace Platform.Portal.Runtime;

/// <summary>A build started with its settings and variables: the instances of one deployment of an application.</summary>
internal sealed class LocalRelease(Guid applicationId, Guid deploymentId, string buildId, ApplicationSettings settings, RuntimeVariables variables)
{
    /// <summary>The build it runs from: its own, or a kept one (a restart, a rollback).</summary>
    public string BuildId => buildId;

    private int _nextIndex;

    public Guid ApplicationId => applicationId;

    public Guid DeploymentId => deploymentId;

    public ApplicationSettings Settings => settings;

    public RuntimeVariables Variables => variables;

    public List<LocalInstance> Instances { get; } = [];

    /// <summary>
    /// Adds an instance: its id is new (ids are never reused, so logs tell instances apart), its slot the lowest free
    /// one, so a series of metrics ("instance 2") goes on across replacements and releases.
    /// </summary>
    public LocalInstance AddInstance()
    {
        lock (this)
        {
            var slot = Enumerable.Range(1, Instances.Count + 1).First(s => Instances.All(i => i.Slot != s));
            var instance = new LocalInstance($"{deploymentId:N}"[^6..] + "-" + ++_nextIndex, slot, this);
            Instances.Add(instance);
            return instance;
        }
    }

    public Probe Readiness => settings.Healthchecks.ReadinessProbe ?? ApplicationRules.DefaultReadiness;
}

/// <summary>One process of a release, supervised: restarted when it exits, killed when over its memory request.</summary>
internal sealed class LocalInstance(string id, int slot, LocalRelease release)
{
    public string Id => id;

    public int Slot => slot;

    public LocalRelease Release => release;

    public int Port { get; set; }

    /// <summary>Its sandbox: network namespace, cgroups, private /tmp; made at its first start, kept across restarts.</summary>
    public SandboxScope? Scope { get; set; }

    /// <summary>Where the router sends the instance's requests: its sandbox's address, on the application's port.</summary>
    public string Endpoint => $"http://{Scope?.Address ?? System.Net.IPAddress.Loopback}:{Port}/";

    /// <summary>The kernel's out-of-memory kills in its cgroup when it last started, to tell an OOM kill from another exit.</summary>
    public long OomKillsSeen { get; set; }

    public ChildProcess? Process { get; set; }

    public volatile InstanceState State = InstanceState.Starting;

    public int Restarts { get; set; }

    public double CpuCores { get; set; }

    public double MemoryMb { get; set; }

    /// <summary>What its files take, measured now and then (<see cref="StorageMeter"/>): null until first measured.</summary>
    public double? StorageGb { get; set; }

    public ProbeResult? LastProbe { get; set; }

    /// <summary>Set when the runtime itself stops it: supervision must not restart it.</summary>
    public CancellationTokenSource Stopping { get; } = new();

    public InstanceSnapshot Snapshot() => new(
        id, release.DeploymentId, State, Restarts, Math.Round(CpuCores, 3), Math.Round(MemoryMb, 1), Process?.StartedAt ?? DateTimeOffset.UtcNow)
    {
        Slot = slot,
        StorageGb = StorageGb is { } storage ? Math.Round(storage, 4) : null,
        LastProbe = LastProbe,
    };
}
