using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Applications;
using Platform.Domain.Runtime;
using Platform.Portal.Runtime;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Runtime;

/// <summary>
/// A real portal whose local runtime runs one application of known consumption: it holds 200 MB, burns half a core,
/// and keeps a 64 MB file in its /tmp, beside links to / and to its build. Storage is measured every second here (every minute by default).
/// </summary>
public sealed class MeasuredApplication : IAsyncLifetime
{
    public const int HeldMb = 200;
    public const double BurnedCores = 0.5;
    public const int FileMb = 64;

    /// <summary>Holds its memory (written, so every page is resident), writes its file, then serves /health while a thread burns its share of CPU time.</summary>
    private const string Source = """
        import http.server, os, threading, time

        held = b"x" * (200 * 1024 * 1024)
        with open("/tmp/ballast", "wb") as f:
            f.write(os.urandom(64 * 1024 * 1024))
        # Links a walk that followed them would count: the whole file system, and the build again.
        os.symlink("/", "/tmp/root")
        os.symlink("/app", "/tmp/app")

        def burn():
            # Half a core of CPU time per second of wall time, made up for when the host gave less for a while.
            wall, cpu = time.monotonic(), time.thread_time()
            while True:
                if time.thread_time() - cpu < 0.5 * (time.monotonic() - wall):
                    sum(range(1000))
                else:
                    time.sleep(0.01)

        threading.Thread(target=burn, daemon=True).start()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")
            def log_message(self, *args):
                pass

        http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()
        """;

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"platform-test-data-{Guid.NewGuid():N}");
    private TestGitRepository _git = null!;

    public PortalFactory Portal { get; private set; } = null!;

    public Guid ApplicationId { get; } = Guid.NewGuid();

    public IRuntime Runtime => Portal.Services.GetRequiredService<LocalRuntime>();

    public async Task InitializeAsync()
    {
        Portal = PortalFactory.On(await TestPostgres.CreateDatabaseAsync(), _dataDirectory, new Dictionary<string, string?> { ["Runtime:StorageSampleSeconds"] = "1" });
        await Portal.InitializeAsync();
        _git = await TestGitRepository.CreateAsync(new Dictionary<string, string> { ["app.py"] = Source });
        var source = new GitSource(_git.Url, "main", "/");
        var deploymentId = Guid.NewGuid();
        var fetched = await Runtime.FetchAsync(new FetchOrder(ApplicationId, deploymentId, source, null, null), CancellationToken.None);
        var settings = new ApplicationSettings("measured", source, BuildCommand: null, "python3 app.py", Port: 8080, Cpu: 1, Memory: 512,
            MinRunningInstances: 1, MaxRunningInstances: 1, AutoDeploy: false,
            new Healthchecks(new Probe(ProbeType.Http, "/health", null, InitialDelaySeconds: 0, PeriodSeconds: 1, TimeoutSeconds: 2, FailureThreshold: 3), LivenessProbe: null));
        await Runtime.StartAsync(new ReleaseOrder(ApplicationId, deploymentId, fetched.BuildId, settings, RuntimeVariables.None), CancellationToken.None);
        await Runtime.PromoteAsync(ApplicationId, deploymentId, CancellationToken.None);
    }

    /// <summary>The instance once its consumption has settled: memory held, file written, CPU over a few seconds, storage measured.</summary>
    public async Task<InstanceSnapshot> SettledAsync()
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (true)
        {
            var instance = (await Runtime.ObserveAsync(ApplicationId, CancellationToken.None))?.Instances.SingleOrDefault();
            if (instance is { State: InstanceState.Ready, StorageGb: > 0.06, MemoryMb: > HeldMb } && DateTimeOffset.UtcNow - instance.StartedAt > TimeSpan.FromSeconds(5))
            {
                return instance;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"The instance did not settle: {instance}");
            await Task.Delay(500);
        }
    }

    public async Task DisposeAsync()
    {
        await Runtime.DeleteApplicationAsync(ApplicationId, CancellationToken.None);
        await ((IAsyncLifetime)Portal).DisposeAsync();
        _git.Dispose();
        TestPostgres.DeleteQuietly(_dataDirectory);
    }
}

/// <summary>What the local runtime measures of an instance is what its processes consume, within stated tolerances. Alone: another test's load would take the burner's CPU.</summary>
[Collection(MemoryMeasurements.Name)]
public sealed class InstanceMeasurementTests(MeasuredApplication application) : IClassFixture<MeasuredApplication>
{
    [Fact]
    public async Task Memory_IsWhatTheInstanceHolds_Within40Mb()
    {
        var instance = await application.SettledAsync();

        // 200 MB held, plus the interpreter and its modules (about 15 MB), and the file written through the page cache
        // is not counted (it may be taken back).
        Assert.InRange(instance.MemoryMb, MeasuredApplication.HeldMb, MeasuredApplication.HeldMb + 40);
    }

    [Fact]
    public async Task Cpu_IsTheShareOfACoreTheInstanceBurns_WithinAFifthOfACore()
    {
        await application.SettledAsync();

        // One reading spans a second: the average of several smooths the scheduler's jitter.
        var readings = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(1000);
            readings.Add((await application.Runtime.ObserveAsync(application.ApplicationId, CancellationToken.None))!.Instances.Single().CpuCores);
        }

        Assert.InRange(readings.Average(), MeasuredApplication.BurnedCores - 0.2, MeasuredApplication.BurnedCores + 0.2);
    }

    [Fact]
    public async Task Storage_CountsTheFilesOfItsTmpAndItsBuild_Within10Mb_FollowingNoLink()
    {
        var instance = await application.SettledAsync();

        Assert.InRange(instance.StorageGb!.Value * 1024, MeasuredApplication.FileMb, MeasuredApplication.FileMb + 10);
    }

    [Fact]
    public async Task Probe_ItsLastAnswerPassed_WithItsLatency()
    {
        var instance = await application.SettledAsync();

        Assert.NotNull(instance.LastProbe);
        Assert.True(instance.LastProbe.Passed);
        Assert.InRange(instance.LastProbe.LatencyMs, 0.01, 2000);
        Assert.InRange(DateTimeOffset.UtcNow - instance.LastProbe.At, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Slot_OfTheOnlyInstance_IsOne()
    {
        var instance = await application.SettledAsync();

        Assert.Equal(1, instance.Slot);
    }
}
