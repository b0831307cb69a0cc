using System.Globalization;
using Platform.Portal.Infrastructure;

namespace Platform.Portal.Runtime;

/// <summary>
/// The local runtime's settings (section Runtime): where builds and git caches live, which user runs builds and
/// instances when the portal runs as root, how many builds to keep per application, how long old instances
/// drain after a switch, and the PostgreSQL server databases are created on.
/// </summary>
public sealed class LocalRuntimeSettings
{
    public const string DefaultUser = "nobody";

    public LocalRuntimeSettings(IConfiguration configuration, PortalSettings portal)
    {
        var section = configuration.GetSection("Runtime");
        Directory = Path.GetFullPath(section["Directory"] ?? Path.Combine(portal.DataDirectory, "runtime"));
        User = string.IsNullOrWhiteSpace(section["User"]) ? DefaultUser : section["User"]!;
        KeptBuilds = int.TryParse(section["KeptBuilds"], CultureInfo.InvariantCulture, out var kept) && kept > 0 ? kept : 5;
        Drain = TimeSpan.FromSeconds(double.TryParse(section["DrainSeconds"], CultureInfo.InvariantCulture, out var drain) ? drain : 2);
        ScalingPeriod = TimeSpan.FromSeconds(double.TryParse(section["ScalingPeriodSeconds"], CultureInfo.InvariantCulture, out var scaling) && scaling >= 1 ? scaling : 10);
        BuildTimeout = TimeSpan.FromMinutes(double.TryParse(section["BuildTimeoutMinutes"], CultureInfo.InvariantCulture, out var minutes) ? minutes : 30);
        DatabaseAdminConnection = section["DatabaseAdminConnection"];
        IsolateApplications = !bool.TryParse(section["IsolateApplications"], out var isolate) || isolate;
        FirstUid = int.TryParse(section["FirstUid"], CultureInfo.InvariantCulture, out var uid) && uid >= 1000 ? uid : 1_000_000;
    }

    /// <summary>When the portal runs as root: each application gets a uid of its own (from <see cref="FirstUid"/>) instead of <see cref="User"/>.</summary>
    public bool IsolateApplications { get; }

    public int FirstUid { get; }

    public string Directory { get; }

    /// <summary>The unprivileged user builds and instances run as when the portal runs as root and applications are not isolated.</summary>
    public string User { get; }

    public int KeptBuilds { get; }

    /// <summary>How long the old instances keep running after traffic moved to the new ones, to finish their requests.</summary>
    public TimeSpan Drain { get; }

    public TimeSpan BuildTimeout { get; }

    /// <summary>How often autoscaling compares the instances' average CPU with the request (scaling down takes three quiet periods in a row).</summary>
    public TimeSpan ScalingPeriod { get; }

    /// <summary>An admin connection to the server databases are created on; empty means the portal's own server.</summary>
    public string? DatabaseAdminConnection { get; }
}
