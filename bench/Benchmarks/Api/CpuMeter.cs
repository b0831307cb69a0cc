using System.Globalization;

namespace Platform.Benchmarks.Api;

/// <summary>
/// The CPU time a measurement cost, from /proc: the serving process's (the portal, or this program for the baseline)
/// and PostgreSQL's (every process named postgres, the server's backends included). Divided by the requests answered,
/// it says where each answer's time went on a machine whose cores are the limit.
/// </summary>
internal sealed class CpuSnapshot
{
    private readonly TimeSpan _server;
    private readonly Dictionary<int, TimeSpan> _postgres;

    private CpuSnapshot(TimeSpan server, Dictionary<int, TimeSpan> postgres) => (_server, _postgres) = (server, postgres);

    public static CpuSnapshot Take(int serverPid) => new(CpuMeter.Of(serverPid), CpuMeter.OfPostgres());

    /// <summary>
    /// What the server and PostgreSQL spent since <paramref name="before"/>: PostgreSQL's per process, so that a backend
    /// that ended meanwhile takes nothing away and one that began counts whole.
    /// </summary>
    public (TimeSpan Server, TimeSpan Postgres) Since(CpuSnapshot before) =>
        (_server - before._server,
         _postgres.Aggregate(TimeSpan.Zero, (total, p) => total + p.Value - before._postgres.GetValueOrDefault(p.Key)));
}

internal static class CpuMeter
{
    /// <summary>Clock ticks per second of /proc's figures (USER_HZ, 100 on Linux).</summary>
    private const double TicksPerSecond = 100;

    /// <summary>User and system time of one process (its threads included), zero once it is gone.</summary>
    public static TimeSpan Of(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }
        catch (UnauthorizedAccessException)
        {
            return TimeSpan.Zero;
        }

        // The command name is in parentheses and may hold spaces: the fields are counted after its closing one.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    public static Dictionary<int, TimeSpan> OfPostgres()
    {
        var each = new Dictionary<int, TimeSpan>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && IsPostgres(folder))
            {
                each[pid] = Of(pid);
            }
        }

        return each;
    }

    private static bool IsPostgres(string folder)
    {
        try
        {
            return File.ReadAllText(Path.Combine(folder, "comm")).TrimEnd() == "postgres";
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
