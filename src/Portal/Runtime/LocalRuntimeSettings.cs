using System.Globalization;
using System.Net;
using Platform.Portal.Infrastructure;

namespace Platform.Portal.Runtime;

/// <summary>How applications are kept apart from the host, the portal and each other.</summary>
public enum RuntimeIsolation
{
    /// <summary>Every build, instance, probe and git fetch runs in a bubblewrap sandbox with namespaces and limits of its own.</summary>
    Sandbox,

    /// <summary>No sandbox: an operator's explicit choice for code they trust, logged at every start and shown to administrators.</summary>
    None,
}

/// <summary>
/// The local runtime's settings (section Runtime): where builds and git caches live, how applications are isolated,
/// how many builds to keep per application, how long old instances drain after a switch, the limits each sandbox
/// gets, and the PostgreSQL server databases are created on.
/// </summary>
public sealed class LocalRuntimeSettings
{
    public LocalRuntimeSettings(IConfiguration configuration, PortalSettings portal)
    {
        var section = configuration.GetSection("Runtime");
        DataDirectory = portal.DataDirectory;
        Directory = Path.GetFullPath(section["Directory"] ?? Path.Combine(portal.DataDirectory, "runtime"));
        KeptBuilds = Positive(section["KeptBuilds"], 5);
        Drain = TimeSpan.FromSeconds(double.TryParse(section["DrainSeconds"], CultureInfo.InvariantCulture, out var drain) ? drain : 2);
        ScalingPeriod = TimeSpan.FromSeconds(double.TryParse(section["ScalingPeriodSeconds"], CultureInfo.InvariantCulture, out var scaling) && scaling >= 1 ? scaling : 10);
        StoragePeriod = TimeSpan.FromSeconds(double.TryParse(section["StorageSampleSeconds"], CultureInfo.InvariantCulture, out var storage) && storage >= 1 ? storage : 60);
        BuildTimeout = TimeSpan.FromMinutes(double.TryParse(section["BuildTimeoutMinutes"], CultureInfo.InvariantCulture, out var minutes) ? minutes : 30);
        StartTimeout = TimeSpan.FromSeconds(double.TryParse(section["StartTimeoutSeconds"], CultureInfo.InvariantCulture, out var start) && start >= 10 ? start : 600);
        DatabaseAdminConnection = section["DatabaseAdminConnection"];
        FirstUid = int.TryParse(section["FirstUid"], CultureInfo.InvariantCulture, out var uid) && uid >= 1000 ? uid : 1_000_000;
        Isolation = Enum.TryParse<RuntimeIsolation>(section["Isolation"], ignoreCase: true, out var isolation) ? isolation : RuntimeIsolation.Sandbox;
        IsolationSetting = section["Isolation"];
        Bubblewrap = string.IsNullOrWhiteSpace(section["Bubblewrap"]) ? "bwrap" : section["Bubblewrap"]!;
        SandboxNetwork = Network(section["SandboxNetwork"]);
        DatabaseRelayPort = int.TryParse(section["DatabaseRelayPort"], CultureInfo.InvariantCulture, out var relay) && relay is >= 0 and <= 65535 ? relay : 5432;
        DatabaseRelayMaxConnections = Positive(section["DatabaseRelayMaxConnections"], Infrastructure.Postgres.PlatformDatabase.ApplicationConnections);
        DatabaseRelayConnectionsPerApplication = Positive(section["DatabaseRelayConnectionsPerApplication"], 50);
        Egress = !bool.TryParse(section["Egress"], out var egress) || egress;
        AllowedNetworks = (section["AllowedNetworks"] ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(IPNetwork.Parse).Where(n => n.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).ToList();
        MaxProcesses = Positive(section["MaxProcesses"], 512);
        MaxOpenFiles = Positive(section["MaxOpenFiles"], 4096);
        BuildMemoryMb = Positive(section["BuildMemoryMb"], 4096);
    }

    public RuntimeIsolation Isolation { get; }

    /// <summary>The Runtime:Isolation value as configured, to say so when it is not one of the known ones.</summary>
    public string? IsolationSetting { get; }

    /// <summary>The portal's data folder: absent from every sandbox.</summary>
    public string DataDirectory { get; }

    /// <summary>Each application's uid, from this one up (the portal runs as root).</summary>
    public int FirstUid { get; }

    public string Directory { get; }

    public int KeptBuilds { get; }

    /// <summary>How long the old instances keep running after traffic moved to the new ones, to finish their requests.</summary>
    public TimeSpan Drain { get; }

    public TimeSpan BuildTimeout { get; }

    /// <summary>How long an instance may take to pass its readiness probe at most, whatever the probe's settings allow.</summary>
    public TimeSpan StartTimeout { get; }

    /// <summary>How often autoscaling compares the instances' average CPU with the request (scaling down takes three quiet periods in a row).</summary>
    public TimeSpan ScalingPeriod { get; }

    /// <summary>How often the storage of each instance (its build and private /tmp) is measured: a walk of its files, so less often than CPU.</summary>
    public TimeSpan StoragePeriod { get; }

    /// <summary>An admin connection to the server databases are created on; empty means the portal's own server.</summary>
    public string? DatabaseAdminConnection { get; }

    /// <summary>The bubblewrap executable (a name looked up on the system PATH, or a full path).</summary>
    public string Bubblewrap { get; }

    /// <summary>The private IPv4 range sandboxes' network namespaces take their addresses from, a /30 each.</summary>
    public IPNetwork SandboxNetwork { get; }

    /// <summary>Where sandboxes reach the database server: this port on the sandbox network's service address (0: any free port).</summary>
    public int DatabaseRelayPort { get; }

    /// <summary>
    /// Connections the relay carries at once from all sandboxes: fewer than the database server's max_connections less
    /// the slots its superuser keeps (the embedded server's 200 by default), since PostgreSQL hands out slots before login.
    /// </summary>
    public int DatabaseRelayMaxConnections { get; }

    /// <summary>Connections the relay carries at once from all sandboxes of one application.</summary>
    public int DatabaseRelayConnectionsPerApplication { get; }

    /// <summary>Whether sandboxes reach the outside world (builds install packages); private and link-local ranges stay closed.</summary>
    public bool Egress { get; }

    /// <summary>Private networks sandboxes may reach anyway (a team's git server on the LAN).</summary>
    public IReadOnlyList<IPNetwork> AllowedNetworks { get; }

    /// <summary>Processes per sandbox (a pids cgroup), or per application's uid where no cgroup is writable.</summary>
    public int MaxProcesses { get; }

    public int MaxOpenFiles { get; }

    /// <summary>The memory a build may use; instances get their memory request.</summary>
    public int BuildMemoryMb { get; }

    private static int Positive(string? value, int fallback) => int.TryParse(value, CultureInfo.InvariantCulture, out var parsed) && parsed > 0 ? parsed : fallback;

    private static IPNetwork Network(string? value) =>
        IPNetwork.TryParse(value ?? "", out var network) && network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && network.PrefixLength is >= 8 and <= 22
            ? network
            : IPNetwork.Parse("10.213.0.0/16");
}
