using Platform.Domain.Applications;
using Platform.Domain.Logs;
using Platform.Domain.Runtime;
using Platform.Portal.Runtime.Sandbox;

namespace Platform.Portal.Runtime;

/// <summary>
/// The local runtime's builds: sources fetched into a build folder of their own, the build command run over it, kept
/// builds for rollbacks and the pruning of older ones, and the removal of a deleted application's files. Every one of
/// them runs in a sandbox as the application's uid; the folders around them are the portal's (<see cref="ApplicationFolderAsync"/>).
/// </summary>
public sealed partial class LocalBuilds(
    LocalRuntimeSettings settings, RuntimeIdentities identities, GitSources git, LocalSandbox sandbox, ILogSink logs, ILogger<LocalBuilds> logger)
{
    public async Task<FetchedSource> FetchAsync(FetchOrder order, CancellationToken cancellationToken)
    {
        var buildId = $"{order.ApplicationId:N}/{order.DeploymentId:N}";
        var user = identities.For(order.ApplicationId);
        var cache = await ApplicationFolderAsync(order.ApplicationId, user);
        var folder = BuildFolder(buildId);
        // A build folder left by an earlier attempt of this deployment is the application's: it goes as its uid.
        await sandbox.EmptyAndRemoveAsync(user, folder);
        await RuntimeIdentities.OwnedFolderAsync(folder, user);
        var commit = await git.FetchAsync(order.ApplicationId, order.DeploymentId, order.Source, order.Credentials, order.CommitId, cache, folder, user,
            line => Log(order.ApplicationId, order.DeploymentId, LogStream.System, line), cancellationToken);
        return new FetchedSource(commit, buildId);
    }

    public Task<string> BranchHeadAsync(Guid applicationId, GitSource source, GitCredentials? credentials, CancellationToken cancellationToken) =>
        git.BranchHeadAsync(applicationId, source, credentials, identities.For(applicationId), cancellationToken);

    public async Task BuildAsync(BuildOrder order, CancellationToken cancellationToken)
    {
        if (order.BuildCommand is null)
        {
            Log(order.ApplicationId, order.DeploymentId, LogStream.System, "No build command: the source runs as fetched.");
            return;
        }

        Log(order.ApplicationId, order.DeploymentId, LogStream.System, $"Running the build command: {order.BuildCommand}");
        var user = identities.For(order.ApplicationId);
        await using var scope = await sandbox.CreateScopeAsync(order.ApplicationId, user, $"build-{order.DeploymentId:N}"[..18], networked: true, inboundPort: null,
            settings.BuildMemoryMb, 1, cancellationToken);
        using var process = sandbox.Start(Spec(scope, order.BuildId, order.RootPath, order.BuildCommand, order.Variables.Values, "build"), order.Variables.SecretValues,
            (stream, line) => Log(order.ApplicationId, order.DeploymentId, stream, line));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.BuildTimeout);
        try
        {
            await process.Exited.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await process.KillAsync();
            cancellationToken.ThrowIfCancellationRequested();
            throw new RuntimeFailureException($"The build did not finish within {settings.BuildTimeout.TotalMinutes} minutes and was stopped.");
        }

        if (process.ExitCode != 0)
        {
            throw new RuntimeFailureException(scope.Cgroup is { } cgroup && SandboxCgroups.OomKills(cgroup) > 0
                ? $"The build ran out of memory: it passed Runtime:BuildMemoryMb ({settings.BuildMemoryMb} MB) and was killed."
                : $"The build command exited with code {process.ExitCode}.");
        }
    }

    /// <summary>Whether a build this runtime made is still kept; an id it never gives (another runtime's) is none.</summary>
    public bool HasBuild(string buildId) => IsBuildId(buildId) && Directory.Exists(BuildFolder(buildId));

    /// <summary>
    /// What a build's, an instance's or a probe's process runs: the build folder as /app (read-write), the private /tmp,
    /// the system read-only, nothing else of the host; its variables with PATH, HOME (the working folder) and LANG.
    /// </summary>
    public SandboxSpec Spec(SandboxScope scope, string buildId, string rootPath, string command, IReadOnlyDictionary<string, string> variables, string hostname)
    {
        var folder = BuildFolder(buildId);
        var app = sandbox.Isolation == RuntimeIsolation.Sandbox ? "/app" : folder;
        var workingDirectory = Path.GetFullPath(Path.Combine(app, rootPath.TrimStart('/')));
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = ChildProcess.Path,
            ["HOME"] = workingDirectory,
            ["LANG"] = "C.UTF-8",
        };
        foreach (var (key, value) in variables)
        {
            environment[key] = value;
        }

        return new SandboxSpec(scope.User, ["/bin/sh", "-c", command], workingDirectory, environment,
            [new SandboxMount(folder, app, Writable: true), .. LocalSandbox.TemporaryMount(scope)], scope.Network, scope.Cgroup, hostname);
    }

    /// <summary>
    /// Keeps the newest builds of an application (and the one that runs) for rollbacks; deletes the rest, each as the
    /// application's uid in a sandbox that shows only that build (<see cref="LocalSandbox.EmptyAndRemoveAsync"/>).
    /// </summary>
    public async Task PruneAsync(Guid applicationId, string? liveBuildId)
    {
        var folder = Path.Combine(sandbox.ApplicationFolder(applicationId), "builds");
        if (!Directory.Exists(folder))
        {
            return;
        }

        var live = liveBuildId?.Split('/')[^1];
        var user = identities.For(applicationId);
        foreach (var old in new DirectoryInfo(folder).GetDirectories().Where(d => d.LinkTarget is null)
            .OrderByDescending(d => d.CreationTimeUtc).Skip(settings.KeptBuilds).Where(d => d.Name != live))
        {
            try
            {
                await sandbox.EmptyAndRemoveAsync(user, old.FullName);
            }
            catch (Exception exception) when (exception is IOException or RuntimeFailureException)
            {
                LogRemoveFailure(exception, old.FullName);
            }
        }
    }

    /// <summary>Removes a deleted application's folder: what its uid owns as that uid, the rest as the portal.</summary>
    public async Task DeleteAllAsync(Guid applicationId)
    {
        var folder = sandbox.ApplicationFolder(applicationId);
        if (!Directory.Exists(folder))
        {
            return;
        }

        var user = identities.For(applicationId);
        string[] portals = [Path.Combine(folder, "builds"), Path.Combine(folder, "tmp")];
        foreach (var owned in portals.Where(Directory.Exists).SelectMany(Directory.GetDirectories).Append(Path.Combine(folder, "git.git")))
        {
            await sandbox.EmptyAndRemoveAsync(user, owned);
        }

        foreach (var own in portals.Append(folder).Where(Directory.Exists))
        {
            try
            {
                Directory.Delete(own, recursive: false);
            }
            catch (IOException exception)
            {
                LogRemoveFailure(exception, own);
            }
        }
    }

    /// <summary>
    /// Sets an application's folder up and answers its git cache. The folder and its builds/ are the portal's (others
    /// pass through, nothing can be planted there); the cache and each build are the application's uid's. A folder an
    /// earlier version gave to the application is taken back first: no process of its uid runs at that point, or any
    /// that does is sandboxed and cannot see it.
    /// </summary>
    private async Task<string> ApplicationFolderAsync(Guid applicationId, RuntimeUser user)
    {
        var folder = sandbox.ApplicationFolder(applicationId);
        await RuntimeIdentities.PassThroughFolderAsync(folder);
        await RuntimeIdentities.PassThroughFolderAsync(Path.Combine(folder, "builds"));
        var cache = Path.Combine(folder, "git.git");
        if (!Directory.Exists(cache))
        {
            await RuntimeIdentities.OwnedFolderAsync(cache, user);
        }

        return cache;
    }

    /// <summary>Where a build lives: its id is "{application}/{deployment}", both plain hex, nothing else.</summary>
    /// <summary>Where a build's files are (what its instances see as /app).</summary>
    public string FolderOf(string buildId) => BuildFolder(buildId);

    private string BuildFolder(string buildId) => IsBuildId(buildId)
        ? Path.Combine(settings.Directory, "apps", buildId[..32], "builds", buildId[33..])
        : throw new RuntimeFailureException("Invalid build id.");

    private static bool IsBuildId(string buildId) =>
        buildId.Split('/') is [var application, var deployment] && new[] { application, deployment }.All(p => p.Length == 32 && p.All(char.IsAsciiHexDigitLower));

    private void Log(Guid applicationId, Guid deploymentId, LogStream stream, string line) =>
        logs.Write(new LogEntry(applicationId, deploymentId, "build", stream, line, DateTimeOffset.UtcNow));

    [LoggerMessage(Level = LogLevel.Warning, Message = "A folder of an application could not be deleted: {Folder}")]
    private partial void LogRemoveFailure(Exception exception, string folder);
}
