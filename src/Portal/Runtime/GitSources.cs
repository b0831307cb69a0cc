using System.Collections.Concurrent;
using System.Text;
using Platform.Domain.Applications;
using Platform.Domain.Logs;
using Platform.Domain.Runtime;
using Platform.Portal.Runtime.Sandbox;

namespace Platform.Portal.Runtime;

/// <summary>
/// Fetches applications' sources with the git command line, in a sandbox of the application's own: one bare cache per
/// application, fetched from its repository (a local path, file://, http(s) or ssh), then the asked commit exported
/// into a fresh build folder. The sandbox shows git the cache, the build folder and, for a local repository, that
/// repository read-only; it has the outside network only for a remote one. Only plain transports are allowed (no
/// ext:: helpers that run commands), git never prompts, and a URL's password reaches git only through a credential
/// helper reading it from the sandbox's private memory, where it arrives on standard input: never on a command line,
/// in an environment, or in a log line.
/// </summary>
public sealed partial class GitSources(LocalRuntimeSettings settings, LocalSandbox sandbox)
{
    private const string CommitMarker = "PLATFORM-COMMIT ";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>One fetch at a time per application: it writes the application's git cache.</summary>
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _fetches = new();

    /// <summary>
    /// One head check at a time per application, apart from its fetches: it touches neither the cache nor a build, and a
    /// repository's server that hangs must not hold a deployment's fetch for the check's minute, nor the check (and a
    /// job asking every application in turn) for a fetch's five.
    /// </summary>
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _heads = new();

    /// <summary>
    /// What every git script starts with: its first argument is the credential's scope (empty: none), then its own. The
    /// configuration (reading repositories others own is the point: a team's bare repository on the host) and the
    /// credential, read from standard input, live in the sandbox's private memory.
    /// </summary>
    private const string Prelude = """
        credential=$1
        shift
        shared=/dev/shm/platform-git-$$
        mkdir -m 700 "$shared" || exit 14
        trap 'rm -rf "$shared"' EXIT
        printf '[safe]\n\tdirectory = *\n[credential]\n\thelper =\n' > "$shared/config"
        if [ -n "$credential" ]; then
          (umask 077; cat > "$shared/credential")
          printf '[credential "%s"]\n\thelper = "!f() { test \\"$1\\" = get && cat %s; }; f"\n' "$credential" "$shared/credential" >> "$shared/config"
        fi
        export GIT_CONFIG_GLOBAL="$shared/config"

        """;

    /// <summary>All a fetch does, in one sandboxed shell after the <see cref="Prelude"/>: its exit code names the step that failed.</summary>
    private const string Script = Prelude + """
        url=$1 wanted=$2 root=$3 cache=$4 build=$5
        [ -f "$cache/HEAD" ] || git init --bare --quiet "$cache" || exit 10
        git --git-dir="$cache" fetch --prune --force --no-tags --end-of-options "$url" '+refs/heads/*:refs/heads/*' || exit 10
        sha=$(git --git-dir="$cache" rev-parse --verify --quiet --end-of-options "$wanted^{commit}") || exit 11
        subject=$(git --git-dir="$cache" log -1 --format=%s "$sha")
        git --git-dir="$cache" archive --format=tar "$sha" | tar -x -C "$build" || exit 12
        [ -d "$build/${root#/}" ] || exit 13
        printf 'PLATFORM-COMMIT %s %s\n' "$sha" "$subject"
        """;

    /// <summary>What the branch's head is now in the repository, by git ls-remote in the same sandbox a fetch runs in; nothing is fetched.</summary>
    private const string HeadScript = Prelude + """
        url=$1 branch=$2
        heads=$(git ls-remote --heads --end-of-options "$url" "refs/heads/$branch") || exit 10
        sha=$(printf '%s\n' "$heads" | awk -v ref="refs/heads/$branch" '$2 == ref { print $1 }')
        [ -n "$sha" ] || exit 11
        printf 'PLATFORM-COMMIT %s\n' "$sha"
        """;

    public async Task<Commit> FetchAsync(
        Guid applicationId, Guid deploymentId, GitSource source, GitCredentials? credentials, string? commitId, string cache, string folder, RuntimeUser user,
        Action<string> output, CancellationToken cancellationToken)
    {
        var git = Prepare(source, credentials);
        output($"Fetching {git.ShownUrl} ({source.Branch}).");
        var inside = sandbox.Isolation == RuntimeIsolation.Sandbox;
        var (cacheInside, buildInside) = inside ? ("/cache", "/build") : (cache, folder);
        var wanted = commitId ?? $"refs/heads/{source.Branch}";
        var (exit, marker, errors) = await RunAsync(_fetches, applicationId, user, $"fetch-{deploymentId:N}"[..18], git,
            [new(cache, cacheInside, true), new(folder, buildInside, true)], inside ? "/tmp" : cache,
            [Script, "git", git.Url, wanted, source.RootPath, cacheInside, buildInside], output, cancellationToken);
        var url = git.ShownUrl;
        return exit switch
        {
            0 when marker is not null => Done(Parsed(marker), output),
            10 => throw new RuntimeFailureException($"The repository {url} could not be fetched: {errors ?? "git failed"}."),
            11 => throw new RuntimeFailureException(commitId is null ? $"The branch {source.Branch} does not exist in {url}." : $"The commit {commitId} does not exist in {url}."),
            12 => throw new RuntimeFailureException($"The commit could not be exported: {errors ?? "tar failed"}."),
            13 => throw new RuntimeFailureException($"The root path {source.RootPath} does not exist in this commit."),
            _ => throw new RuntimeFailureException($"git ended with code {exit}: {errors ?? "no reason given"}."),
        };
    }

    /// <summary>The full id of the commit the branch points at now in the repository; its output is dropped, for nobody reads it.</summary>
    public async Task<string> BranchHeadAsync(Guid applicationId, GitSource source, GitCredentials? credentials, RuntimeUser user, CancellationToken cancellationToken)
    {
        var git = Prepare(source, credentials);
        var (exit, marker, errors) = await RunAsync(_heads, applicationId, user, $"heads-{Guid.NewGuid():N}"[..18], git, [], "/tmp",
            [HeadScript, "git", git.Url, source.Branch], _ => { }, cancellationToken, HeadTimeout);
        var url = git.ShownUrl;
        return exit switch
        {
            0 when marker is not null => Parsed(marker).LongId,
            10 => throw new RuntimeFailureException($"The repository {url} could not be reached: {errors ?? "git failed"}."),
            11 => throw new RuntimeFailureException($"The branch {source.Branch} does not exist in {url}."),
            _ => throw new RuntimeFailureException($"git ended with code {exit}: {errors ?? "no reason given"}."),
        };
    }

    private static readonly TimeSpan HeadTimeout = TimeSpan.FromMinutes(1);

    /// <summary>A source made fit for git: its URL without credentials (they go to git on standard input), checked, and as it may be shown.</summary>
    /// <param name="CredentialScope">
    /// The scheme and host (<c>https://host[:port]</c>) the credentials are for: git's helper answers for these alone
    /// (<c>credential.&lt;url&gt;.helper</c>), so a redirect to another host, or to plain http, gets no password. Null
    /// when there are none, or the URL names no such host (a path, an scp-like ssh address, which take no password).
    /// </param>
    private sealed record GitCall(string Url, string ShownUrl, string? Local, GitCredentials? Credentials, string? CredentialScope);

    private GitCall Prepare(GitSource source, GitCredentials? credentials)
    {
        if (source.Url.StartsWith('-'))
        {
            throw new RuntimeFailureException("The repository URL cannot start with '-'.");
        }

        // A URL that still carries its credentials gives them up here: git gets the URL without them.
        var (stored, secret) = GitUrls.Split(source.Url);
        credentials ??= GitUrls.CredentialsFor(stored, secret);
        var plain = GitUrls.WithoutCredentials(stored);
        if (credentials is not null && (credentials.Username + credentials.Password).Any(c => c is '\n' or '\r' or '\0'))
        {
            throw new RuntimeFailureException("The repository's user name or password holds a line break.");
        }

        var local = LocalPath(plain);
        if (local is not null && (IsPortalsOwn(local) || IsPortalsOwn(Resolved(local)) || IsSystemFolder(Resolved(local))))
        {
            throw new RuntimeFailureException("The repository cannot be a folder of the portal's own data, nor a system folder.");
        }

        return new GitCall(plain, Redact(plain), local, credentials, credentials is null ? null : CredentialScope(plain));
    }

    /// <summary>The scheme and host a URL's credentials are for, as git's configuration names a URL; null when it has none fit for it.</summary>
    private static string? CredentialScope(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && !uri.IsFile && !uri.IsUnc
        && uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped) is var scope && SafeScope().IsMatch(scope)
            ? scope
            : null;

    /// <summary>What may stand in a section name of git's configuration written by the script: no quote, backslash or line break.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^[a-z][a-z0-9+.-]*://[A-Za-z0-9.\-\[\]:_%]+$")]
    private static partial System.Text.RegularExpressions.Regex SafeScope();

    /// <summary>
    /// Runs a git script in a sandbox of the application's own, one at a time per application and kind (<paramref name="gates"/>):
    /// networked only for a remote repository, a local one mounted read-only. Answers its exit code, its marker line and git's reason.
    /// </summary>
    private async Task<(int Exit, string? Marker, string? Reason)> RunAsync(
        ConcurrentDictionary<Guid, SemaphoreSlim> gates, Guid applicationId, RuntimeUser user, string name, GitCall git, List<SandboxMount> mounts, string workingFolder,
        string[] script, Action<string> output, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var gate = gates.GetOrAdd(applicationId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            await using var scope = await sandbox.CreateScopeAsync(applicationId, user, name, networked: git.Local is null, inboundPort: null,
                settings.BuildMemoryMb, 1, cancellationToken);
            var inside = sandbox.Isolation == RuntimeIsolation.Sandbox;
            if (git.Local is not null && inside)
            {
                mounts.Add(new SandboxMount(git.Local, git.Local, Writable: false));
            }

            mounts.AddRange(LocalSandbox.TemporaryMount(scope));
            var environment = new Dictionary<string, string>
            {
                ["PATH"] = ChildProcess.Path,
                ["HOME"] = inside ? "/tmp" : workingFolder,
                ["LANG"] = "C.UTF-8",
                ["GIT_CONFIG_NOSYSTEM"] = "1",
                ["GIT_TERMINAL_PROMPT"] = "0",
                ["GIT_ALLOW_PROTOCOL"] = "file:git:http:https:ssh",
                ["GIT_SSH_COMMAND"] = "ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new",
            };
            var credentials = git.CredentialScope is null ? null : git.Credentials;
            var input = credentials is null ? [] : Encoding.UTF8.GetBytes($"username={credentials.Username}\npassword={credentials.Password}\n");
            string[] command = ["/bin/sh", "-c", script[0], script[1], credentials is null ? "" : git.CredentialScope!, .. script[2..]];
            var spec = new SandboxSpec(user, command, inside ? "/tmp" : workingFolder, environment, mounts, scope.Network, scope.Cgroup, "git", input);
            // git's reason is its first fatal or error line, else its last: only those two are kept. The server a
            // repository URL names is the tenant's, and what it says git prints ("remote: …" for each line of an http
            // error's body, an ssh server's standard error as it comes): kept whole, it grew the portal without bound.
            var reason = new GitReason();
            string? marker = null;
            var secrets = git.Credentials is not { } given ? [] : new[] { given.Password, given.Username }.Where(s => s.Length > 0).ToArray();
            var exit = await sandbox.RunAsync(spec, timeout ?? Timeout, (stream, line) =>
            {
                if (stream == LogStream.Stdout && line.StartsWith(CommitMarker, StringComparison.Ordinal))
                {
                    marker = line[CommitMarker.Length..];
                    return;
                }

                var shown = Redact(ChildProcess.MaskSecrets(line, secrets));
                reason.Add(shown);
                output(shown);
            }, cancellationToken);
            // A local repository is mounted by bubblewrap as the application's uid: a folder missing and one that uid
            // may not reach are told apart by nothing (a look as root first told any tenant which folders exist).
            if (git.Local is not null && inside && exit != 0 && reason.Text is { } text && text.StartsWith($"bwrap: Can't find source path {git.Local}:", StringComparison.Ordinal))
            {
                throw new RuntimeFailureException($"The repository {git.ShownUrl} could not be reached: there is no such folder, or the application may not read it.");
            }

            return (exit, marker, reason.Text);
        }
        finally
        {
            gate.Release();
        }
    }

    private static Commit Parsed(string marker)
    {
        var parts = marker.Split(' ', 2);
        return new Commit(parts[0][..Math.Min(7, parts[0].Length)], parts[0], parts.Length > 1 ? parts[1] : "");
    }

    private static Commit Done(Commit commit, Action<string> output)
    {
        output($"Fetched commit {commit.ShortId}: {commit.Message}");
        return commit;
    }

    /// <summary>The folder of a local repository (a path or a file:// URL); null for a remote one.</summary>
    public static string? LocalPath(string url)
    {
        if (url.StartsWith('/'))
        {
            return Path.GetFullPath(url);
        }

        return url.StartsWith("file://", StringComparison.OrdinalIgnoreCase) && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? Path.GetFullPath(uri.LocalPath) : null;
    }

    /// <summary>The folder a path names once its links are followed (as far as it exists): what the check must look at.</summary>
    private static string Resolved(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var resolved = "/";
        foreach (var part in parts)
        {
            var next = Path.Combine(resolved, part);
            var info = new DirectoryInfo(next);
            resolved = info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target ? target.FullName : next;
        }

        return Path.GetFullPath(resolved);
    }

    /// <summary>The system's own folders and pseudo file systems, which a fetch must not mount over its sandbox's.</summary>
    private static bool IsSystemFolder(string path) =>
        path is "/" or "/tmp" or "/home" or "/var" or "/srv" or "/opt" || SystemFolders.Any(f => Inside(path, f));

    private static readonly string[] SystemFolders = ["/proc", "/sys", "/dev", "/run", "/etc", "/usr", "/bin", "/sbin", "/lib", "/lib64", "/boot", "/root"];

    /// <summary>The portal's data folder is no repository, but for the samples the demo deploys from.</summary>
    private bool IsPortalsOwn(string path) =>
        Inside(path, settings.DataDirectory) && !Inside(path, Path.Combine(settings.DataDirectory, "samples")) || Inside(path, settings.Directory);

    private static bool Inside(string path, string folder) =>
        path == folder || path.StartsWith(folder.TrimEnd('/') + "/", StringComparison.Ordinal);

    /// <summary>A URL or a line of git's as it may be shown: its secrets masked, by the domain's one rule (<see cref="GitUrls.Redact"/>).</summary>
    public static string Redact(string text) => GitUrls.Redact(text);

    /// <summary>git's reason: its first fatal or error line, else its last line; it holds those two lines and nothing more.</summary>
    private sealed class GitReason
    {
        private readonly Lock _gate = new();
        private string? _failure;
        private string? _last;

        public string? Text
        {
            get
            {
                lock (_gate)
                {
                    return _failure ?? _last;
                }
            }
        }

        public void Add(string line)
        {
            lock (_gate)
            {
                if (_failure is null && (line.StartsWith("fatal:", StringComparison.Ordinal) || line.StartsWith("error:", StringComparison.Ordinal)))
                {
                    _failure = line;
                }

                _last = line;
            }
        }
    }
}
