using System.Globalization;
using System.Text.Json;

namespace Platform.Portal.Runtime;

/// <summary>
/// Who a build, an instance, a probe or a git fetch runs as: the portal's own user when it is not root; otherwise
/// never root, switched with util-linux setpriv (which keeps the clean environment and sets no_new_privs).
/// </summary>
public sealed record RuntimeUser(string Name, int? Uid, int? Gid)
{
    public bool Switches => Uid is not null;

    /// <summary>The setpriv arguments that put the command after them under this user.</summary>
    public IEnumerable<string> SwitchArguments() =>
        [$"--reuid={Uid}", $"--regid={Gid}", "--clear-groups", "--no-new-privs", "--"];
}

/// <summary>
/// Gives each application a user of its own when the portal runs as root (Runtime:IsolateApplications, on by
/// default): a numeric uid from Runtime:FirstUid up, recorded in the runtime folder so it stays the same across
/// restarts. Processes of different applications then cannot read each other's environment (/proc/*/environ),
/// files or sources. With isolation off, every application runs as Runtime:User (nobody by default).
/// </summary>
public sealed class RuntimeIdentities(LocalRuntimeSettings settings)
{
    private readonly Lock _gate = new();
    private readonly Lazy<bool> _root = new(IsRoot);
    private readonly Lazy<RuntimeUser> _shared = new(() => Lookup(settings.User));
    private Dictionary<Guid, int>? _uids;

    public bool PortalIsRoot => _root.Value;

    public RuntimeUser For(Guid applicationId)
    {
        if (!PortalIsRoot)
        {
            return new RuntimeUser(Environment.UserName, null, null);
        }

        if (!settings.IsolateApplications)
        {
            return _shared.Value;
        }

        lock (_gate)
        {
            var path = Path.Combine(settings.Directory, "uids.json");
            _uids ??= File.Exists(path) ? JsonSerializer.Deserialize<Dictionary<Guid, int>>(File.ReadAllText(path)) ?? [] : [];
            if (!_uids.TryGetValue(applicationId, out var uid))
            {
                uid = _uids.Count == 0 ? settings.FirstUid : _uids.Values.Max() + 1;
                _uids[applicationId] = uid;
                Directory.CreateDirectory(settings.Directory);
                File.WriteAllText(path, JsonSerializer.Serialize(_uids));
            }

            return new RuntimeUser($"uid {uid}", uid, uid);
        }
    }

    /// <summary>Makes a folder that only this user can enter (and the portal, as root).</summary>
    public DirectoryInfo PrivateFolder(string path, RuntimeUser user)
    {
        var directory = Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            directory.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            if (user.Switches)
            {
                Chown(path, user.Uid!.Value, user.Gid!.Value);
            }
        }

        return directory;
    }

    /// <summary>Makes a folder others may pass through to what is inside but not list.</summary>
    public static DirectoryInfo PassThroughFolder(string path)
    {
        var directory = Directory.CreateDirectory(path);
        if (!OperatingSystem.IsWindows())
        {
            directory.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        }

        return directory;
    }

    private static void Chown(string path, int uid, int gid)
    {
        using var chown = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("chown", [$"{uid}:{gid}", "--", path]) { RedirectStandardError = true })!;
        chown.WaitForExit();
        if (chown.ExitCode != 0)
        {
            throw new Domain.Runtime.RuntimeFailureException($"The runtime could not give {path} to uid {uid}.");
        }
    }

    private static RuntimeUser Lookup(string name)
    {
        foreach (var line in File.ReadLines("/etc/passwd"))
        {
            var fields = line.Split(':');
            if (fields.Length >= 4 && fields[0] == name)
            {
                var uid = int.Parse(fields[2], CultureInfo.InvariantCulture);
                return uid == 0
                    ? throw new Domain.Runtime.RuntimeFailureException($"Runtime:User is {name}, which is root: applications never run as root.")
                    : new RuntimeUser(name, uid, int.Parse(fields[3], CultureInfo.InvariantCulture));
            }
        }

        throw new Domain.Runtime.RuntimeFailureException($"Runtime:User names {name}, which does not exist on this host. Create it or choose another user.");
    }

    private static bool IsRoot() => OperatingSystem.IsLinux() && File.ReadLines("/proc/self/status")
        .FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))?.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) == "0";
}
