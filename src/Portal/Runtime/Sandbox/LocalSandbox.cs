using System.Globalization;
using System.Net;
using Platform.Domain.Databases;
using Platform.Domain.Logs;

namespace Platform.Portal.Runtime.Sandbox;

/// <summary>
/// Where one build, instance, probe or fetch runs: its network namespace, its cgroups and its private /tmp, made
/// before its process and removed after it. An instance keeps its scope across restarts.
/// </summary>
public sealed class SandboxScope(LocalSandbox sandbox, Guid applicationId, string name, RuntimeUser user, SandboxNamespace? network, SandboxCgroup? cgroup, string? temporary)
    : IAsyncDisposable
{
    private int _released;

    public Guid ApplicationId => applicationId;

    public string Name => name;

    public RuntimeUser User => user;

    public SandboxNamespace? Network => network;

    public SandboxCgroup? Cgroup => cgroup;

    /// <summary>The host folder shown as /tmp inside; null without a sandbox (the host's /tmp is used).</summary>
    public string? Temporary => temporary;

    /// <summary>Where the host reaches a port of this sandbox: its namespace's address, or the loopback without one.</summary>
    public IPAddress Address => network?.Address ?? IPAddress.Loopback;

    public ValueTask DisposeAsync() => Interlocked.Exchange(ref _released, 1) == 0 ? new ValueTask(sandbox.ReleaseAsync(this)) : ValueTask.CompletedTask;
}

/// <summary>
/// The local runtime's sandbox (PRODUCT.md section 6): checks at start that it can be had (root, bubblewrap and the
/// other tools, user namespaces, the network set-up, a trial run), sets the host up (<see cref="SandboxNetwork"/>,
/// <see cref="SandboxCgroups"/>, <see cref="DatabaseRelay"/>), makes the scopes processes run in, and runs the
/// housekeeping that touches applications' files as the application's own uid, inside a sandbox, so that nothing the
/// portal does as root follows a path an application controls. Where the sandbox cannot be had, <see cref="UnavailableReason"/>
/// says why and how to fix it, and the runtime refuses to deploy; Runtime:Isolation=None is the operator's way out.
/// </summary>
public sealed partial class LocalSandbox(
    LocalRuntimeSettings settings,
    SandboxNetwork network,
    SandboxCgroups cgroups,
    DatabaseRelay relay,
    LocalDatabaseServer databases,
    ProcessLedger ledger,
    ILogger<LocalSandbox> logger) : IDisposable
{
    private static readonly string[] RequiredTools = ["setpriv", "nsenter", "prlimit", "ip", "nft"];
    private readonly SemaphoreSlim _initializing = new(1, 1);

    /// <summary>The scopes made and not yet released (their namespaces, cgroups and folders).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<SandboxScope, byte> _live = new();
    private bool _initialized;
    private SandboxHostFacts? _facts;

    public RuntimeIsolation Isolation => settings.Isolation;

    /// <summary>Why applications cannot run now, with how to fix it; null when they can.</summary>
    public string? UnavailableReason { get; private set; }

    /// <summary>What limits each sandbox here, for the start-up log.</summary>
    public string Limits => cgroups.Describe();

    public SandboxHostFacts Facts => _facts ?? throw new InvalidOperationException("The sandbox is not initialised.");

    /// <summary>Where applications reach the runtime's database server: the relay on the service address when sandboxed.</summary>
    public DatabaseServerAddress DatabaseAddress => relay.Endpoint is { } endpoint && UnavailableReason is null && Isolation == RuntimeIsolation.Sandbox
        ? new DatabaseServerAddress(endpoint.Address.ToString(), endpoint.Port)
        : DirectAddress();

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _initializing.WaitAsync(cancellationToken);
        try
        {
            if (_initialized)
            {
                return;
            }

            _initialized = true;
            if (Isolation == RuntimeIsolation.None)
            {
                _facts = FactsFor(RuntimeIsolation.None, "bwrap");
                LogIsolationOff();
                return;
            }

            if (settings.IsolationSetting is { Length: > 0 } configured && !Enum.TryParse<RuntimeIsolation>(configured, ignoreCase: true, out _))
            {
                LogUnknownIsolation(configured);
            }

            UnavailableReason = await SetUpAsync(cancellationToken);
            if (UnavailableReason is null)
            {
                LogSandboxReady(Limits, network.Egress ? "on" : "off", relay.Endpoint!.ToString());
            }
            else
            {
                LogSandboxUnavailable(UnavailableReason);
            }
        }
        finally
        {
            _initializing.Release();
        }
    }

    /// <summary>Throws the reason applications cannot run here, if there is one.</summary>
    public void EnsureAvailable()
    {
        if (UnavailableReason is { } reason)
        {
            throw new Domain.Runtime.RuntimeFailureException(reason);
        }
    }

    /// <summary>
    /// Makes the scope of one sandbox of an application: a network namespace (<paramref name="inboundPort"/>: the one port
    /// the host connects to) unless <paramref name="networked"/> is false, cgroups with these limits, a private /tmp.
    /// </summary>
    public async Task<SandboxScope> CreateScopeAsync(Guid applicationId, RuntimeUser user, string name, bool networked, int? inboundPort, int memoryMb, double cpu, CancellationToken cancellationToken)
    {
        EnsureAvailable();
        if (Isolation == RuntimeIsolation.None)
        {
            return new SandboxScope(this, applicationId, name, user, null, null, null);
        }

        var temporaryParent = Path.Combine(ApplicationFolder(applicationId), "tmp");
        await RuntimeIdentities.PassThroughFolderAsync(temporaryParent);
        var temporary = Path.Combine(temporaryParent, name);
        await EmptyAndRemoveAsync(user, temporary);
        await RuntimeIdentities.OwnedFolderAsync(temporary, user);
        SandboxNamespace? space = null;
        SandboxCgroup? cgroup = null;
        try
        {
            space = networked ? await network.CreateAsync(inboundPort, cancellationToken) : null;
            if (space is not null)
            {
                relay.Admit(space.Address, applicationId);
            }

            cgroup = await cgroups.CreateAsync(name, memoryMb, settings.MaxProcesses, cpu);
            var scope = new SandboxScope(this, applicationId, name, user, space, cgroup, temporary);
            _live[scope] = 0;
            return scope;
        }
        catch
        {
            await ReleaseAsync(applicationId, user, space, cgroup, temporary);
            throw;
        }
    }

    internal Task ReleaseAsync(SandboxScope scope) =>
        _live.TryRemove(scope, out _) ? ReleaseAsync(scope.ApplicationId, scope.User, scope.Network, scope.Cgroup, scope.Temporary) : Task.CompletedTask;

    /// <summary>Releases what no process needs any more because the runtime stops: whatever a race left unreleased goes too.</summary>
    public Task ReleaseAllAsync() => Task.WhenAll(_live.Keys.Select(scope => scope.DisposeAsync().AsTask()));

    private async Task ReleaseAsync(Guid applicationId, RuntimeUser user, SandboxNamespace? space, SandboxCgroup? cgroup, string? temporary)
    {
        _ = applicationId;
        // Each part goes on its own: one that fails (logged) must not keep the others.
        if (space is not null)
        {
            relay.Forget(space.Address);
            await network.DeleteAsync(space);
        }

        if (cgroup is not null)
        {
            await cgroups.DeleteAsync(cgroup);
        }

        if (temporary is not null)
        {
            try
            {
                await EmptyAndRemoveAsync(user, temporary);
            }
            catch (Exception exception) when (exception is IOException or Domain.Runtime.RuntimeFailureException)
            {
                LogRemoveFailed(temporary, -1, exception.Message);
            }
        }
    }

    /// <summary>The mount view entry for a scope's private /tmp (none without a sandbox).</summary>
    public static IEnumerable<SandboxMount> TemporaryMount(SandboxScope scope) =>
        scope.Temporary is { } folder ? [new SandboxMount(folder, "/tmp", Writable: true)] : [];

    /// <summary>
    /// Deletes an application's folder (a build, a private /tmp) that its uid owns, inside a folder of the portal's: the
    /// contents as that uid in a sandbox that shows nothing else (a link in it leads nowhere of the host's), then the
    /// emptied folder itself as the portal (rmdir follows no link).
    /// </summary>
    public async Task EmptyAndRemoveAsync(RuntimeUser user, string folder)
    {
        if (!Directory.Exists(folder) && !File.Exists(folder))
        {
            return;
        }

        if (!user.Switches)
        {
            Directory.Delete(folder, recursive: true);
            return;
        }

        var target = Isolation == RuntimeIsolation.Sandbox ? "/target" : folder;
        var spec = new SandboxSpec(user, ["/bin/sh", "-c", "chmod -R u+rwX -- \"$1\" 2>/dev/null; find \"$1\" -mindepth 1 -delete", "sh", target], "/",
            new Dictionary<string, string> { ["PATH"] = HostCommand.Path }, [new SandboxMount(folder, target, Writable: true)], Network: null, Cgroup: null, Hostname: "cleanup");
        var exit = await RunAsync(spec, TimeSpan.FromMinutes(5), (_, _) => { });
        try
        {
            Directory.Delete(folder, recursive: false);
        }
        catch (IOException exception)
        {
            LogRemoveFailed(folder, exit, exception.Message);
        }
    }

    /// <summary>
    /// How many bytes an application's folders hold (its uid owns them), counted by du as that uid in a sandbox that
    /// shows nothing else, on their own file system only, no link followed: a tree the application built to trap a
    /// walk (links to the host's folders, millions of files) traps only its own uid, for the timeout at most.
    /// Answers one size per folder, in order; null for a folder that could not be counted.
    /// </summary>
    public async Task<IReadOnlyList<long?>> SizesAsync(RuntimeUser user, IReadOnlyList<string> folders, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var present = folders.Select(f => Directory.Exists(f)).ToList();
        var inside = Isolation == RuntimeIsolation.Sandbox;
        var targets = folders.Select((f, i) => inside ? $"/measure/{i}" : f).ToList();
        var arguments = targets.Where((_, i) => present[i]).ToList();
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        if (arguments.Count > 0)
        {
            var spec = new SandboxSpec(user, ["du", "-s", "-x", "-P", "-B1", "--", .. arguments], "/", new Dictionary<string, string> { ["PATH"] = HostCommand.Path },
                folders.Select((f, i) => (f, i)).Where(p => present[p.i]).Select(p => new SandboxMount(p.f, targets[p.i], Writable: false)).ToList(),
                Network: null, Cgroup: null, Hostname: "measure");
            await RunAsync(spec, timeout, (stream, line) =>
            {
                if (stream == LogStream.Stdout && line.Split('\t', 2) is [var bytes, var path] && long.TryParse(bytes, NumberStyles.None, CultureInfo.InvariantCulture, out var size))
                {
                    lock (sizes)
                    {
                        sizes[path] = size;
                    }
                }
            }, cancellationToken);
        }

        lock (sizes)
        {
            return targets.Select((t, i) => present[i] ? sizes.TryGetValue(t, out var size) ? size : (long?)null : 0).ToList();
        }
    }

    /// <summary>Runs a sandboxed process to its end (killed after the timeout); answers its exit code.</summary>
    public async Task<int> RunAsync(SandboxSpec spec, TimeSpan timeout, Action<LogStream, string> output, CancellationToken cancellationToken = default)
    {
        using var process = Start(spec, [], output);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.Exited.WaitAsync(limit.Token);
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await process.KillAsync();
            cancellationToken.ThrowIfCancellationRequested();
            throw new Domain.Runtime.RuntimeFailureException($"{spec.Hostname} did not finish within {timeout.TotalMinutes:0.#} minutes and was stopped.");
        }
    }

    /// <summary>Starts a sandboxed process, noted in the ledger until it exits.</summary>
    public ChildProcess Start(SandboxSpec spec, IReadOnlyCollection<string> secrets, Action<LogStream, string> output)
    {
        var process = ChildProcess.Start(SandboxCommandLine.Prepare(spec, Facts), secrets, output);
        ledger.Track(process);
        return process;
    }

    /// <summary>An application's folder (its git cache, builds and private temporary folders); the portal's, passed through.</summary>
    public string ApplicationFolder(Guid applicationId) => Path.Combine(settings.Directory, "apps", applicationId.ToString("N"));

    public void Dispose() => _initializing.Dispose();

    private DatabaseServerAddress DirectAddress()
    {
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(databases.AdminConnectionString);
        return new DatabaseServerAddress(connection.Host ?? "127.0.0.1", connection.Port);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Runtime:Isolation=None: applications run WITHOUT a sandbox. Any of them can read what the portal's user can read and reach the portal's database and ports. Only for code you trust; remove the setting to isolate them.")]
    private partial void LogIsolationOff();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Runtime:Isolation={Value} is not a known value (Sandbox or None): applications run in the sandbox")]
    private partial void LogUnknownIsolation(string value);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applications run in a sandbox (bubblewrap, network namespaces); limits: {Limits}; outside network: {Egress}; databases through {Relay}")]
    private partial void LogSandboxReady(string limits, string egress, string relay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Applications cannot run on this host, deployments are refused: {Reason}")]
    private partial void LogSandboxUnavailable(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A folder of an application could not be removed (cleanup exited with {Exit}): {Folder}: {Reason}")]
    private partial void LogRemoveFailed(string folder, int exit, string reason);
}
