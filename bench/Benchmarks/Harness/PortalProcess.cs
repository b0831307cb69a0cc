using System.Diagnostics;
using System.Globalization;

namespace Platform.Benchmarks.Harness;

/// <summary>
/// The portal as users run it: the published build (bench/run.sh publishes it to bench/.build/portal), a process of
/// its own in Production, on the benchmark's PostgreSQL. Its output goes to portal.log in the data folder.
/// </summary>
internal sealed class PortalProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private PortalProcess(Process process, StreamWriter log, Uri address, string dataDirectory)
    {
        _process = process;
        _log = log;
        Address = address;
        DataDirectory = dataDirectory;
    }

    public Uri Address { get; }

    public string DataDirectory { get; }

    public int Pid => _process.Id;

    public static async Task<PortalProcess> StartAsync(string publishDirectory, string connectionString, string dataDirectory,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var portalDll = Path.Combine(publishDirectory, "Portal.dll");
        if (!File.Exists(portalDll))
        {
            throw new InvalidOperationException($"{portalDll} is missing: bench/run.sh publishes the portal there first.");
        }

        var port = Platform.Portal.Infrastructure.FreePorts.Next();
        var address = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = publishDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(portalDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(address.ToString().TrimEnd('/'));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__Platform"] = connectionString;
        start.Environment["Portal__DataDirectory"] = dataDirectory;
        start.Environment["Applications__RepositoryCheckMinutes"] = "0";
        // Every request of a benchmark comes from 127.0.0.1: the per-address limits would measure themselves.
        foreach (var limit in new[] { "SignIn", "SignUp", "Invitation", "Api" })
        {
            start.Environment[$"RateLimits__{limit}__PermitLimit"] = "100000000";
        }

        // The history seed keeps a million log lines in one application: the retention's per-service cap (100,000) would cut them at the hour.
        start.Environment["Logs__MaxLinesPerService"] = "10000000";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        Directory.CreateDirectory(dataDirectory);
        var log = new StreamWriter(Path.Combine(dataDirectory, "portal.log")) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var portal = new PortalProcess(process, log, address, dataDirectory);
        await portal.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        return portal;
    }

    /// <summary>Resident memory of the portal process (VmRSS), in bytes.</summary>
    public long RssBytes() => ReadStatusKilobytes(_process.Id, "VmRSS:") * 1024;

    public static long ReadStatusKilobytes(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    public HttpClient CreateClient() => new() { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(2) };

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var client = CreateClient();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The portal exited with {_process.ExitCode}; see {Path.Combine(DataDirectory, "portal.log")}.");
            }

            try
            {
                if ((await client.GetAsync("/healthz")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"The portal did not answer /healthz within {timeout.TotalSeconds} s; see {Path.Combine(DataDirectory, "portal.log")}.");
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM: the portal stops its applications and sandboxes on the way out.
            Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])?.WaitForExit();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }
}
