using System.Globalization;
using System.Text;

namespace Platform.Portal.Runtime.Sandbox;

/// <summary>What the host offers sandboxes: its tools, the limits, and what of the system they see.</summary>
public sealed record SandboxHostFacts(
    RuntimeIsolation Isolation,
    string Bubblewrap,
    int MaxOpenFiles,
    int MaxProcessesPerUser,
    string ResolverFile,
    IReadOnlyList<string> HiddenPaths)
{
    /// <summary>The system folders shown read-only; on a merged-/usr system /bin, /lib… are links into /usr and shown as links.</summary>
    public static readonly string[] SystemFolders = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"];
}

/// <summary>
/// Turns a <see cref="SandboxSpec"/> into the process the host starts. With the sandbox, that is a chain in which
/// every step is exec'd (one pid, a child of the portal):
/// <c>sh</c> (root: joins the cgroups, sets its OOM score) → <c>prlimit</c> (open files, processes, no core dumps)
/// → <c>nsenter --net</c> (the sandbox's network namespace) → <c>setpriv</c> (the application's uid, no groups,
/// no_new_privs) → <c>bwrap</c> (user, PID, mount, IPC and UTS namespaces, the mount view). Every process before bwrap's
/// child gets an environment of PATH alone; the application's variables travel to bwrap on its standard input
/// (<c>--args 0</c>), so no loader variable (LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT, GCONV_PATH…) of an application ever
/// applies to a process that runs as root or outside the sandbox, and no secret is on a command line.
/// </summary>
public static class SandboxCommandLine
{
    private const string JoinScript = """
        n=$1; shift
        while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n - 1)); done
        echo 1000 > /proc/self/oom_score_adj
        exec "$@"
        """;

    public static PreparedProcess Prepare(SandboxSpec spec, SandboxHostFacts facts)
    {
        // bwrap reads its options NUL-separated (--args 0): a NUL inside a value (a secret is stored encrypted, so the
        // database never refused it) would end that value and start options of the application's choosing, such as
        // --bind / /host. No environment or command line can carry a NUL anyway: such a process is not started.
        if (spec.Environment.Any(v => v.Key.Contains('\0', StringComparison.Ordinal) || v.Value.Contains('\0', StringComparison.Ordinal))
            || spec.Command.Any(c => c.Contains('\0', StringComparison.Ordinal)) || spec.WorkingDirectory.Contains('\0', StringComparison.Ordinal)
            || spec.Hostname.Contains('\0', StringComparison.Ordinal) || spec.Mounts.Any(m => (m.Source + m.Target).Contains('\0', StringComparison.Ordinal)))
        {
            var keys = spec.Environment.Where(v => v.Value.Contains('\0', StringComparison.Ordinal)).Select(v => v.Key).ToList();
            throw new Domain.Runtime.RuntimeFailureException(keys.Count > 0
                ? $"The value of {string.Join(", ", keys)} holds a NUL character, which no process environment can carry: change it."
                : "The command or a setting holds a NUL character, which no process can be given.");
        }

        return facts.Isolation == RuntimeIsolation.None ? Unsandboxed(spec) : Sandboxed(spec, facts);
    }

    private static PreparedProcess Sandboxed(SandboxSpec spec, SandboxHostFacts facts)
    {
        if (!spec.User.Switches)
        {
            throw new SandboxException("The sandbox runs applications under uids of their own, which takes a portal running as root.");
        }

        var procs = spec.Cgroup?.ProcsFiles.ToList() ?? [];
        var chain = new List<string> { "-c", JoinScript, "sh", procs.Count.ToString(CultureInfo.InvariantCulture) };
        chain.AddRange(procs);
        chain.AddRange([
            "prlimit",
            string.Create(CultureInfo.InvariantCulture, $"--nofile={facts.MaxOpenFiles}:{facts.MaxOpenFiles}"),
            string.Create(CultureInfo.InvariantCulture, $"--nproc={facts.MaxProcessesPerUser}:{facts.MaxProcessesPerUser}"),
            "--core=0:0",
            "--",
        ]);
        if (spec.Network is { } network)
        {
            chain.AddRange(["nsenter", $"--net={network.Path}", "--"]);
        }

        chain.Add("setpriv");
        chain.AddRange(spec.User.SwitchArguments());
        chain.Add(facts.Bubblewrap);
        var options = BubblewrapOptions(spec, facts);
        byte[] input;
        if (spec.Input is null)
        {
            // bwrap takes only options from --args; the command (no secret: it is in the application's settings) follows.
            chain.AddRange(["--args", "0"]);
            input = Encoding.UTF8.GetBytes(string.Concat(options.Select(a => a + '\0')));
        }
        else
        {
            chain.AddRange(options);
            input = spec.Input;
        }

        chain.Add("--");
        chain.AddRange(spec.Command);
        return new PreparedProcess("/bin/sh", chain, Clean(), null, input);
    }

    /// <summary>bwrap's options, in order: namespaces, environment, the mount view, the working folder.</summary>
    public static List<string> BubblewrapOptions(SandboxSpec spec, SandboxHostFacts facts)
    {
        var arguments = new List<string>
        {
            "--unshare-user", "--disable-userns", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--hostname", spec.Hostname, "--clearenv",
        };
        if (spec.Network is null)
        {
            arguments.Add("--unshare-net");
        }

        foreach (var (key, value) in spec.Environment)
        {
            arguments.AddRange(["--setenv", key, value]);
        }

        foreach (var folder in SandboxHostFacts.SystemFolders)
        {
            var info = new DirectoryInfo(folder);
            if (info.LinkTarget is { } target)
            {
                arguments.AddRange(["--symlink", target, folder]);
            }
            else if (info.Exists)
            {
                arguments.AddRange(["--ro-bind", folder, folder]);
            }
        }

        if (facts.ResolverFile != "/etc/resolv.conf")
        {
            arguments.AddRange(["--ro-bind", facts.ResolverFile, "/etc/resolv.conf"]);
        }

        // The portal's own folders, should they sit under a system folder, are not there.
        foreach (var hidden in facts.HiddenPaths.Where(h => SandboxHostFacts.SystemFolders.Any(s => h.StartsWith(s + "/", StringComparison.Ordinal))))
        {
            arguments.AddRange(["--tmpfs", hidden]);
        }

        arguments.AddRange(["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--size", "67108864", "--tmpfs", "/dev/shm"]);
        // Outer folders first: a mount on /tmp would hide one made before it on /tmp/….
        foreach (var mount in spec.Mounts.OrderBy(m => m.Target.TrimEnd('/').Count(c => c == '/')))
        {
            arguments.AddRange([mount.Writable ? "--bind" : "--ro-bind", mount.Source, mount.Target]);
        }

        arguments.AddRange(["--chdir", spec.WorkingDirectory]);
        return arguments;
    }

    /// <summary>
    /// No sandbox (Runtime:Isolation=None): as root, setpriv drops to the application's uid first and env -i then sets
    /// its variables, so none applies to the root process; as another user, the process simply runs as that user.
    /// </summary>
    private static PreparedProcess Unsandboxed(SandboxSpec spec)
    {
        if (!spec.User.Switches)
        {
            return new PreparedProcess(spec.Command[0], spec.Command.Skip(1).ToList(), spec.Environment, spec.WorkingDirectory, spec.Input);
        }

        var arguments = spec.User.SwitchArguments().Append("env").Append("-i").Concat(spec.Environment.Select(v => $"{v.Key}={v.Value}")).Concat(spec.Command).ToList();
        return new PreparedProcess("setpriv", arguments, Clean(), spec.WorkingDirectory, spec.Input);
    }

    private static Dictionary<string, string> Clean() => new() { ["PATH"] = HostCommand.Path };
}
