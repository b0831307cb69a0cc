using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Platform.Portal.Infrastructure.Postgres;

/// <summary>Why a local PostgreSQL could not be started, in words meant for the person at the terminal.</summary>
public sealed class LocalPostgresException(string message) : Exception(message);

public sealed record LocalPostgresOptions
{
    /// <summary>The cluster's folder; created and initialised on first start.</summary>
    public required string DataDirectory { get; init; }

    public required int Port { get; init; }

    /// <summary>The superuser's password, set at initdb. Connections use TCP on 127.0.0.1 with SCRAM only.</summary>
    public required string Password { get; init; }

    /// <summary>Folder holding initdb and pg_ctl; found under /usr/lib/postgresql when not given.</summary>
    public string? BinDirectory { get; init; }

    /// <summary>The OS user that owns and runs the cluster when the caller is root (PostgreSQL refuses root).</summary>
    public string ServiceUser { get; init; } = "postgres";

    /// <summary>Extra server settings as name=value, e.g. fsync=off for throwaway test servers.</summary>
    public IReadOnlyList<string> ServerSettings { get; init; } = [];
}

/// <summary>
/// Starts and stops a private PostgreSQL cluster from the server binaries installed on this machine. The portal
/// uses it as its embedded database when no connection string is given; the test fixtures use it for throwaway
/// servers. Only TCP on 127.0.0.1 with password authentication: no Unix socket, no trust.
/// </summary>
public sealed class LocalPostgresServer : IAsyncDisposable
{
    public const string SuperUser = "postgres";

    private readonly LocalPostgresOptions _options;
    private readonly string _binDirectory;
    private bool _running;

    private LocalPostgresServer(LocalPostgresOptions options, string binDirectory)
    {
        _options = options;
        _binDirectory = binDirectory;
    }

    public int Port => _options.Port;

    public string DataDirectory => _options.DataDirectory;

    public static async Task<LocalPostgresServer> StartAsync(LocalPostgresOptions options, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        var server = new LocalPostgresServer(options, FindBinDirectory(options.BinDirectory));
        await server.StartAsync(log ?? (_ => { }), cancellationToken);
        return server;
    }

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = _options.Port,
        Username = SuperUser,
        Password = _options.Password,
        Database = database,
    }.ConnectionString;

    public async Task StopAsync()
    {
        if (!_running)
        {
            return;
        }

        _running = false;
        await RunToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "-t", "30", "stop"], CancellationToken.None);
        File.Delete(OwnerFile);
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task StartAsync(Action<string> log, CancellationToken cancellationToken)
    {
        var dataDirectory = DataDirectory;
        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            log($"Initialising a new PostgreSQL cluster in {dataDirectory}");
            await InitialiseAsync(cancellationToken);
        }

        await StopLeftoverAsync(log, cancellationToken);
        RemoveStalePidFile(log);
        EnsurePortIsFree();

        var logFile = Path.Combine(dataDirectory, "server.log");
        var serverOptions = string.Create(
            CultureInfo.InvariantCulture,
            $"-p {_options.Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''")
            + string.Concat(_options.ServerSettings.Select(setting => $" -c {setting}"));
        var started = await RunToolAsync(
            "pg_ctl", ["-D", dataDirectory, "-l", logFile, "-o", serverOptions, "-w", "-t", "60", "start"], cancellationToken);
        if (started.ExitCode != 0)
        {
            throw new LocalPostgresException(
                $"The local PostgreSQL in {dataDirectory} did not start (pg_ctl exited with {started.ExitCode}).{Environment.NewLine}"
                + $"Last lines of {logFile}:{Environment.NewLine}{Tail(logFile, 10)}");
        }

        _running = true;
        await File.WriteAllTextAsync(OwnerFile, ProcStat.Identity(Environment.ProcessId), cancellationToken);
        log($"PostgreSQL is listening on 127.0.0.1:{_options.Port} (data in {dataDirectory})");
    }

    private async Task InitialiseAsync(CancellationToken cancellationToken)
    {
        var dataDirectory = DataDirectory;
        PrivateFolders.Create(dataDirectory);

        var passwordFile = dataDirectory.TrimEnd('/') + ".initpw";
        await File.WriteAllTextAsync(passwordFile, _options.Password, cancellationToken);
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            if (RunsAsRoot)
            {
                await ChownAsync(dataDirectory, cancellationToken);
                await ChownAsync(passwordFile, cancellationToken);
            }

            var result = await RunToolAsync(
                "initdb",
                ["-D", dataDirectory, "-U", SuperUser, "--auth-local=peer", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", $"--pwfile={passwordFile}"],
                cancellationToken);
            if (result.ExitCode != 0)
            {
                throw new LocalPostgresException($"initdb could not create a cluster in {dataDirectory}:{Environment.NewLine}{result.Output}");
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    /// <summary>Names the process that started the running server (<see cref="ProcStat.Identity"/>), next to its data folder.</summary>
    private string OwnerFile => DataDirectory.TrimEnd('/') + ".owner";

    /// <summary>
    /// Stops a server that the process which started it left running when it ended without stopping it (a portal
    /// killed or out of memory): nobody else uses it, and it holds the data folder and the port. Only a postmaster
    /// of this very data folder is stopped (<see cref="ServerPid"/>).
    /// </summary>
    private async Task StopLeftoverAsync(Action<string> log, CancellationToken cancellationToken)
    {
        if (!File.Exists(OwnerFile) || ServerPid() is not { } pid || ProcStat.IsRunning(await File.ReadAllTextAsync(OwnerFile, cancellationToken)))
        {
            return;
        }

        log($"Stopping the local PostgreSQL (pid {pid}) that a portal which did not stop cleanly left running in {DataDirectory}");
        var stopped = await RunToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "-t", "30", "stop"], cancellationToken);
        if (stopped.ExitCode != 0)
        {
            throw new LocalPostgresException($"The local PostgreSQL left running in {DataDirectory} (pid {pid}) could not be stopped: {stopped.Output.Trim()}");
        }

        File.Delete(OwnerFile);
    }

    /// <summary>
    /// The pid of the server running on the data folder, if one is. A pid file left by a crash may name a process
    /// that has since become another PostgreSQL: a postmaster works in its data folder, so its working directory
    /// tells. When that cannot be read (another user's process), it counts as this cluster's, so nothing is removed.
    /// </summary>
    private int? ServerPid()
    {
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)
            || !IsPostgresProcess(pid))
        {
            return null;
        }

        try
        {
            // Its own pid file is this one when the folder is the same, even reached through a symbolic link.
            var workingDirectory = new DirectoryInfo($"/proc/{pid}/cwd").ResolveLinkTarget(returnFinalTarget: true)?.FullName;
            return workingDirectory is null || SamePath(workingDirectory, DataDirectory)
                || File.ReadAllText(Path.Combine(workingDirectory, "postmaster.pid")) == File.ReadAllText(pidFile) ? pid : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return pid;
        }
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)), StringComparison.Ordinal);

    private void RemoveStalePidFile(Action<string> log)
    {
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return;
        }

        var firstLine = File.ReadLines(pidFile).FirstOrDefault();
        if (ServerPid() is { } pid)
        {
            throw new LocalPostgresException(
                $"The local PostgreSQL in {DataDirectory} is already running (pid {pid}). Another portal is probably using "
                + "this data folder: stop it first, or give this one another folder with PORTAL_DATA_DIR.");
        }

        log($"Removing the stale pid file {pidFile}: the process it names ({firstLine}) is not this cluster's PostgreSQL.");
        File.Delete(pidFile);
    }

    private void EnsurePortIsFree()
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, _options.Port);
            listener.Start();
        }
        catch (SocketException)
        {
            throw new LocalPostgresException(
                $"Port {_options.Port} on 127.0.0.1 is already in use, so the local PostgreSQL cannot start there. "
                + "Stop whatever listens on it, or choose another port with PORTAL_POSTGRES_PORT.");
        }
    }

    private static bool IsPostgresProcess(int pid)
    {
        try
        {
            var command = File.ReadAllText($"/proc/{pid}/comm").Trim();
            return command is "postgres" or "postmaster";
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    private static bool RunsAsRoot => Environment.UserName == "root";

    private static string FindBinDirectory(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(Path.Combine(configured, "initdb"))
                ? configured
                : throw new LocalPostgresException($"initdb was not found in the configured PostgreSQL folder {configured}.");
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(d => (Path: Path.Combine(d, "bin"), Major: int.TryParse(Path.GetFileName(d), CultureInfo.InvariantCulture, out var m) ? m : 0))
                .Where(d => File.Exists(Path.Combine(d.Path, "initdb")))
                .OrderByDescending(d => d.Major)
                .FirstOrDefault();
            if (newest.Path is not null)
            {
                return newest.Path;
            }
        }

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")));
        return onPath ?? throw new LocalPostgresException(
            "The PostgreSQL server binaries (initdb, pg_ctl) were not found. Install them (Debian: apt-get install postgresql), "
            + "or set ConnectionStrings__Platform to an existing PostgreSQL server.");
    }

    private async Task ChownAsync(string path, CancellationToken cancellationToken)
    {
        var result = await RunAsync("chown", [$"{_options.ServiceUser}:", path], cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new LocalPostgresException(
                $"PostgreSQL refuses to run as root, and {path} could not be handed to the user '{_options.ServiceUser}': {result.Output.Trim()}. "
                + "Install Debian's postgresql package (it creates that user) or run the portal as an ordinary user.");
        }
    }

    private Task<(int ExitCode, string Output)> RunToolAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var executable = Path.Combine(_binDirectory, tool);
        // PostgreSQL refuses to run as root: as root, its tools run as the service user.
        return RunsAsRoot
            ? RunAsync("runuser", ["-u", _options.ServiceUser, "--", executable, .. arguments], cancellationToken)
            : RunAsync(executable, arguments, cancellationToken);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new LocalPostgresException($"Could not start {fileName}.");
        // pg_ctl leaves the server holding inherited pipes; read what the tool itself printed, not until EOF.
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var output = await Task.WhenAny(Task.WhenAll(stdout, stderr), Task.Delay(TimeSpan.FromSeconds(2), cancellationToken)) is Task<string[]> done
            ? string.Concat(done.Result)
            : "";
        return (process.ExitCode, output);
    }

    private static string Tail(string file, int lines) =>
        File.Exists(file) ? string.Join(Environment.NewLine, File.ReadLines(file).TakeLast(lines)) : "(no log written)";
}
