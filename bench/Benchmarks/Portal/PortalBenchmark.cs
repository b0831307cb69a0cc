using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Npgsql;
using Platform.Benchmarks.Harness;
using Platform.Benchmarks.Seeding;
using Platform.Portal.Infrastructure.Postgres;

namespace Platform.Benchmarks.Portal;

/// <summary>
/// The portal's memory (issue 17, point 5): what one more Blazor circuit costs with users holding the hot environment's
/// page open, and the resident memory of a portal idling with the demo deployed.
/// </summary>
internal sealed class PortalBenchmark : IBenchmark
{
    public const double TargetKilobytesPerCircuit = 400;
    public const double TargetIdleMegabytes = 250;

    public string Name => "portal";

    public string Title => "Portal memory: Blazor circuits and idle";

    public bool NeedsSeed => true;

    public async Task RunAsync(BenchRun run, ReportSection section, CancellationToken cancellationToken)
    {
        await CircuitsAsync(run, section, cancellationToken);
        await IdleAsync(run, section, cancellationToken);
    }

    /// <summary>
    /// Contexts signed in by cookie (one sign-in through the page, its cookies given to every context), each on
    /// /environment/{hot} with its circuit connected. RSS and the live managed objects at 0, 10 and N circuits; per circuit
    /// = the slope of live objects + JIT code between 10 and N (what the first circuits cost includes the page's first
    /// compilation and caches).
    /// </summary>
    private static async Task CircuitsAsync(BenchRun run, ReportSection section, CancellationToken cancellationToken)
    {
        var users = run.Options.Pick(50, 15);
        var first = run.Options.Pick(10, 5);
        var settle = TimeSpan.FromSeconds(run.Options.Pick(5, 1));
        var page = new Uri(run.Portal.Address, $"/environment/{run.Seed!.Catalogue.HotEnvironmentId}").ToString();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("PLATFORM_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });

        string storage;
        await using (var signIn = await browser.NewContextAsync())
        {
            var tab = await signIn.NewPageAsync();
            await tab.GotoAsync(new Uri(run.Portal.Address, "/account/signin").ToString());
            await tab.GetByLabel("Email").FillAsync(run.Owner.Email);
            await tab.GetByLabel("Password").FillAsync(run.Owner.Password);
            await tab.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await tab.WaitForURLAsync(url => !url.Contains("/account/signin", StringComparison.Ordinal), new() { Timeout = 60_000 });
            storage = await signIn.StorageStateAsync();
        }

        // The page once before measuring: its first render compiles and caches what every later circuit shares.
        var contexts = new List<IBrowserContext>();
        try
        {
            await OpenAsync(browser, storage, page, contexts);
            await contexts[0].CloseAsync();
            contexts.Clear();
            var before = await MeasureAsync(run, settle, "circuits-0", cancellationToken);
            var watch = Stopwatch.StartNew();
            await OpenUpToAsync(browser, storage, page, contexts, first);
            var atFirst = await MeasureAsync(run, settle, $"circuits-{first}", cancellationToken);
            await OpenUpToAsync(browser, storage, page, contexts, users);

            var atAll = await MeasureAsync(run, settle, $"circuits-{users}", cancellationToken);
            var opened = watch.Elapsed;
            double PerCircuit(Func<Rss, long> of) => (of(atAll) - of(atFirst)) / 1024.0 / (users - first);
            var measured = atFirst.Live is not null && atAll.Live is not null;
            var perCircuit = measured ? PerCircuit(r => r.Live!.Value + r.Code) : PerCircuit(r => r.Total);
            var fallback = measured ? "" : " (dotnet-gcdump was not found: this is the RSS slope instead)";
            section.Table(["circuits", "portal RSS", "anonymous (heaps, stacks)", "JIT code (shared memory)", "mapped files", "live managed objects"],
            [
                Row("0", before),
                Row(first.ToString(CultureInfo.InvariantCulture), atFirst),
                Row(users.ToString(CultureInfo.InvariantCulture), atAll),
                [
                    "per circuit, slope " + first + "→" + users, Kilobytes(PerCircuit(r => r.Total)), Kilobytes(PerCircuit(r => r.Anonymous)),
                    Kilobytes(PerCircuit(r => r.Code)), Kilobytes(PerCircuit(r => r.Files)), measured ? Kilobytes(PerCircuit(r => r.Live!.Value)) : "–",
                ],
            ]);
            section.Paragraph(string.Create(CultureInfo.InvariantCulture,
                $"{users} browser contexts (one Chromium, headless, signed in by cookie) each holding /environment/{{hot}} with its circuit connected, opened in " +
                $"{opened.TotalSeconds:0.0} s. RSS and its parts (/proc status: RssAnon, RssShmem — the runtime's W^X double mapping of JIT-compiled code — and " +
                $"RssFile) read {settle.TotalSeconds:0} s after each step, then the live managed objects, which dotnet-gcdump counts by walking the heap after a " +
                $"full collection. The anonymous RSS is no measure of a circuit: it also counts garbage the GC has not reached, and keeps what it freed for " +
                $"later allocations. Per circuit = live managed objects + JIT code (each circuit emits a few accessors of its own; the " +
                $"code's slope also counts the runtime recompiling what runs once per circuit after 30 calls, a cost paid once, counted to err " +
                $"high), (at {users} − at {first}) / {users - first} = {perCircuit:0} KB{fallback}; the RSS slope is " +
                $"{PerCircuit(r => r.Total):0} KB. Load average {Load()}."));
            section.Target($"memory per Blazor circuit (live objects + JIT code, slope {first}→N)", $"{perCircuit:0} KB", $"< {TargetKilobytesPerCircuit:0} KB", perCircuit < TargetKilobytesPerCircuit);
        }
        finally
        {
            foreach (var context in contexts)
            {
                await context.CloseAsync();
            }
        }
    }

    /// <summary>The portal's RSS and its parts, and its live managed objects (null without dotnet-gcdump), in bytes.</summary>
    private readonly record struct Rss(long Total, long Anonymous, long Code, long Files, long? Live);

    /// <summary>RSS and its parts after the settle, then the live objects (the heap walk forces a full collection).</summary>
    private static async Task<Rss> MeasureAsync(BenchRun run, TimeSpan settle, string step, CancellationToken cancellationToken)
    {
        await Task.Delay(settle, cancellationToken);
        long Read(string field) => PortalProcess.ReadStatusKilobytes(run.Portal.Pid, field) * 1024;
        var (total, anonymous, code, files) = (Read("VmRSS:"), Read("RssAnon:"), Read("RssShmem:"), Read("RssFile:"));
        return new Rss(total, anonymous, code, files, HeapDumps.LiveBytes(run.Portal.Pid, step));
    }

    private static string[] Row(string circuits, Rss rss) =>
        [circuits, Megabytes(rss.Total), Megabytes(rss.Anonymous), Megabytes(rss.Code), Megabytes(rss.Files), rss.Live is { } live ? Megabytes(live) : "–"];

    private static string Kilobytes(double kilobytes) => kilobytes.ToString("0 KB", CultureInfo.InvariantCulture);

    /// <summary>
    /// Opens contexts until there are <paramref name="count"/>, a few at a time: one by one, each waited on its page's
    /// load and circuit in turn (about 2 s under the run's load), and 50 took 75–94 s.
    /// </summary>
    private static async Task OpenUpToAsync(IBrowser browser, string storage, string url, List<IBrowserContext> contexts, int count)
    {
        const int AtATime = 3;
        while (contexts.Count < count)
        {
            var opening = Enumerable.Range(0, Math.Min(AtATime, count - contexts.Count)).Select(_ => OpenAsync(browser, storage, url, contexts)).ToList();
            await Task.WhenAll(opening);
        }
    }

    private static async Task OpenAsync(IBrowser browser, string storage, string url, List<IBrowserContext> contexts)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { StorageState = storage });
        lock (contexts)
        {
            contexts.Add(context);
        }

        var tab = await context.NewPageAsync();
        await tab.GotoAsync(url);
        // The layout marks itself once its circuit is connected and interactive.
        await tab.Locator("[data-interactive=true]").WaitForAsync(new() { Timeout = 60_000 });
    }

    /// <summary>A second portal as run.sh starts it (the demo user and the sample application), the sample deployed and running, then idle.</summary>
    private static async Task IdleAsync(BenchRun run, ReportSection section, CancellationToken cancellationToken)
    {
        var connectionString = run.Postgres.ConnectionString("platform_demo");
        await PostgresDatabases.EnsureExistsAsync(connectionString, cancellationToken);
        var email = "demo@platform.local";
        var password = "demo-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        var repository = await CatalogueSeeding.HotRepositoryAsync(run);
        await using var demo = await PortalProcess.StartAsync(run.PublishDirectory, connectionString, run.WorkFolder("demo-portal"), new Dictionary<string, string>
        {
            ["Demo__Email"] = email,
            ["Demo__Password"] = password,
            ["Demo__SampleRepository"] = repository,
        });
        using var client = demo.CreateClient();
        var token = await client.PostAsJsonAsync("/api/auth/token", new { email, password, name = "bench" }, cancellationToken);
        token.EnsureSuccessStatusCode();
        client.DefaultRequestHeaders.Authorization = new("Bearer", (await token.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!["token"]!.GetValue<string>());
        Guid application;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var find = new NpgsqlCommand("SELECT id FROM application WHERE name = 'hello'", connection);
            application = (Guid)(await find.ExecuteScalarAsync(cancellationToken))!;
        }

        var watch = Stopwatch.StartNew();
        var state = await Api.HotData.DeployAsync(client, application, TimeSpan.FromSeconds(run.Options.Pick(180, 90)), cancellationToken);
        var deployed = watch.Elapsed;
        var idle = TimeSpan.FromSeconds(run.Options.Pick(30, 5));
        await Task.Delay(idle, cancellationToken);
        var rss = demo.RssBytes() / 1024.0 / 1024.0;
        string Part(string field) => Megabytes(PortalProcess.ReadStatusKilobytes(demo.Pid, field) * 1024);
        section.Paragraph(string.Create(CultureInfo.InvariantCulture,
            $"A second portal (its own database and data folder, the demo settings run.sh uses), the demo application deployed in {deployed.TotalSeconds:0} s " +
            $"and {state}, then idle {idle.TotalSeconds:0} s: RSS {rss:0} MB (the portal process alone; the application runs in its own): anonymous {Part("RssAnon:")}, " +
            $"JIT code {Part("RssShmem:")}, mapped files {Part("RssFile:")}. Load average {Load()}."));
        section.Target("idle portal RSS with the demo deployed", $"{rss:0} MB", $"< {TargetIdleMegabytes:0} MB", rss < TargetIdleMegabytes && state == "RUNNING");
        // After every figure is read: the heap walk forces a full collection.
        if (HeapDumps.LiveBytes(demo.Pid, "idle") is { } live)
        {
            section.Paragraph($"Of it, live managed objects: {Megabytes(live)} (dotnet-gcdump, after its full collection).");
        }
    }

    private static string Megabytes(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0.0 MB", CultureInfo.InvariantCulture);

    private static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
}
