using System.Globalization;
using System.Text.Json;
using Platform.Portal.Runtime.Sandbox;

namespace Platform.Portal.Runtime;

/// <summary>
/// Who a build, an instance, a probe or a git fetch runs as: an application's own uid when the portal runs as root
/// (never root itself), or the portal's own user when it does not (and there is then no sandbox).
/// </summary>
public sealed record RuntimeUser(string Name, int? Uid, int? Gid)
{
    public bool Switches => Uid is not null;

    /// <summary>The setpriv arguments that put the command after them under this user, with no way back to root.</summary>
    public IEnumerable<string> SwitchArguments() =>
        [$"--reuid={Uid}", $"--regid={Gid}", "--clear-groups", "--no-new-privs", "--"];
}

/// <summary>
/// Gives each application a user of its own when the portal runs as root: a numeric uid from Runtime:FirstUid up,
/// recorded in the runtime folder so it stays the same across restarts. Applications then own nothing of each
/// other's, and each one's process limit (RLIMIT_NPROC) is its own.
/// </summary>
public sealed class RuntimeIdentities(LocalRuntimeSettings settings)
{
    private const UnixFileMode Private = Infrastructure.PrivateFolders.Mode;
    private const UnixFileMode PassThrough = Private | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private readonly Lock _gate = new();
    private readonly Lazy<bool> _root = new(IsRoot);
    private Dictionary<Guid, int>? _uids;

    public bool PortalIsRoot => _root.Value;

    public RuntimeUser For(Guid applicationId)
    {
        if (!PortalIsRoot)
        {
            return new RuntimeUser(Environment.UserName, null, null);
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

    /// <summary>
    /// A folder of the portal's that others may pass through but not list or change: the runtime folder, the
    /// applications' folders and their builds and temporary folders. An application can plant nothing in it, so
    /// nothing the portal does there as root follows a path the application chose.
    /// </summary>
    public static async Task PassThroughFolderAsync(string path)
    {
        if (new FileInfo(path).LinkTarget is not null)
        {
            // Planted while an earlier version let the application own the folder above: the link goes (unlink), not what it points to.
            File.Delete(path);
        }

        Directory.CreateDirectory(path);
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (IsRoot())
        {
            await ChownAsync(path, 0, 0);
        }

        File.SetUnixFileMode(path, PassThrough);
    }

    /// <summary>Makes a new folder that only this user can enter (and the portal, as root), in a folder of the portal's.</summary>
    public static async Task OwnedFolderAsync(string path, RuntimeUser user)
    {
        Directory.CreateDirectory(path);
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.SetUnixFileMode(path, Private);
        if (user.Switches)
        {
            await ChownAsync(path, user.Uid!.Value, user.Gid!.Value);
        }
    }

    /// <summary>Changes the owner of the entry itself (-h: a link is not followed).</summary>
    private static async Task ChownAsync(string path, int uid, int gid)
    {
        var result = await HostCommand.RunAsync("chown", ["-h", string.Create(CultureInfo.InvariantCulture, $"{uid}:{gid}"), "--", path]);
        if (!result.Succeeded)
        {
            throw new Domain.Runtime.RuntimeFailureException($"The runtime could not give {path} to uid {uid}: {result.Reason}");
        }
    }

    public static bool IsRoot() => OperatingSystem.IsLinux() && File.ReadLines("/proc/self/status")
        .FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))?.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(2) == "0";
}
