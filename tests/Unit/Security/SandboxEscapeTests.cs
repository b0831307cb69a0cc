using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Portal.Runtime.Sandbox;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Security;

/// <summary>
/// The portal the escape tests attack: a marker in its own environment (no application may ever read it), one kept
/// build (so a third deployment prunes), and a small process limit (so a fork bomb hits it quickly).
/// </summary>
public sealed class EscapePortal : IAsyncLifetime
{
    public const string Marker = "PORTAL_ESCAPE_MARKER";
    public const int MaxProcesses = 64;

    public PortalFactory Portal { get; } = PortalFactory.With(new Dictionary<string, string?>
    {
        ["Runtime:KeptBuilds"] = "1",
        ["Runtime:MaxProcesses"] = MaxProcesses.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(Marker, "the portal's own escape marker");
        await Portal.InitializeAsync();
    }

    public Task DisposeAsync() => ((IAsyncLifetime)Portal).DisposeAsync();
}

/// <summary>
/// Hostile applications, built by the tests, try to get out of their sandbox (PRODUCT.md sections 6 and 11). Each test
/// deploys one, lets it try, and asserts what it saw from its own answers and output.
/// </summary>
public sealed class SandboxEscapeTests(EscapePortal escape) : IClassFixture<EscapePortal>
{
    private PortalFactory Portal => escape.Portal;

    [Theory]
    [InlineData("LD_PRELOAD", "./evil.so")]
    [InlineData("LD_LIBRARY_PATH", ".")]
    [InlineData("LD_AUDIT", "./evil.so")]
    [InlineData("GCONV_PATH", "./gconv")]
    public async Task LoaderVariable_OfAnApplication_NeverRunsItsCodeAsRoot(string key, string value)
    {
        var marker = Guid.NewGuid().ToString("N");
        var evidence = $"/tmp/platform-escape-{marker}";
        var hostile = await DeployHostileAsync(marker, (key, value));

        var seen = await RuntimeSteps.GetJsonAsync(hostile.Url, "whoami");
        var lines = await LogLinesAsync(hostile);

        Assert.False(File.Exists(evidence), $"The application's library ran as root: {(File.Exists(evidence) ? await File.ReadAllTextAsync(evidence) : "")}");
        Assert.DoesNotContain(lines, l => l.Contains("EVIDENCE", StringComparison.Ordinal) && l.Contains("euid=0", StringComparison.Ordinal));
        Assert.Equal(value, seen["environment"]![key]!.GetValue<string>());
        Assert.NotEqual(0, seen["uid"]!.GetValue<int>());
        Assert.NotEqual(0, seen["euid"]!.GetValue<int>());
        Assert.Equal("0000000000000000", seen["cap_eff"]!.GetValue<string>());
        Assert.Equal("1", seen["no_new_privs"]!.GetValue<string>());
    }

    [Fact]
    public async Task BuildsFolderSwappedForALink_DeletesNothingOutsideTheApplicationsFolder()
    {
        var canary = Path.Combine(Path.GetTempPath(), $"platform-canary-{Guid.NewGuid():N}");
        foreach (var folder in new[] { "older", "old" })
        {
            Directory.CreateDirectory(Path.Combine(canary, folder));
            await File.WriteAllTextAsync(Path.Combine(canary, folder, "precious"), "keep me");
            await Task.Delay(20);
        }

        try
        {
            var marker = Guid.NewGuid().ToString("N");
            using var repository = await TestGitRepository.CreateAsync(HostileApp.Files(marker));
            var team = await RuntimeTeam.OfAsync(Portal);
            var environment = await team.CreateEnvironmentAsync();
            var application = await team.Owner.CreateApplicationAsync(environment, Body(repository.Url));
            var builds = Path.Combine(Portal.DataDirectory, "runtime", "apps", application.ToString("N"), "builds");
            await team.Owner.PostForIdAsync($"/api/application/{application}/environmentVariable", new { key = "BUILDS", value = builds });
            await team.Owner.PostForIdAsync($"/api/application/{application}/environmentVariable", new { key = "CANARY", value = canary });
            await team.Owner.DeployOkAsync(application);
            var url = await team.Owner.UrlAsync(application);

            var swap = await RuntimeSteps.GetJsonAsync(url, "swap");
            var plant = await RuntimeSteps.GetJsonAsync(url, "plant");
            // Two more deployments: with one build kept, the builds before them (the one with the links among them) are pruned.
            await repository.CommitAsync(new Dictionary<string, string> { ["v2"] = "2" }, "Second");
            await team.Owner.DeployOkAsync(application);
            await repository.CommitAsync(new Dictionary<string, string> { ["v3"] = "3" }, "Third");
            await team.Owner.DeployOkAsync(application);

            Assert.False(swap["renamed"]!.GetValue<bool>(), $"The application reached its builds folder: {swap.ToJsonString()}");
            Assert.False(swap["linked"]!.GetValue<bool>(), $"The application replaced its builds folder: {swap.ToJsonString()}");
            Assert.Equal("/app", plant["cwd"]!.GetValue<string>());
            Assert.Null(new DirectoryInfo(builds).LinkTarget);
            // Only the build that runs is left: the first one, with the links planted in it, was pruned. Builds are
            // pruned once the release before has drained and stopped, in the background: wait for it.
            for (var i = 0; i < 100 && Directory.GetDirectories(builds).Length > 1; i++)
            {
                await Task.Delay(100);
            }

            Assert.Single(Directory.GetDirectories(builds));
            Assert.Equal("keep me", await File.ReadAllTextAsync(Path.Combine(canary, "older", "precious")));
            Assert.Equal("keep me", await File.ReadAllTextAsync(Path.Combine(canary, "old", "precious")));
        }
        finally
        {
            TestPostgres.DeleteQuietly(canary);
        }
    }

    [Fact]
    public async Task Instance_SeesNoOtherProcess_NoneOfThePortalsFiles_AndNothingOfAnotherApplication()
    {
        using var sample = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var team = await RuntimeTeam.OfAsync(Portal);
        var first = await team.Owner.CreateApplicationAsync(await team.CreateEnvironmentAsync(), RuntimeSteps.ApplicationBody(sample.Url));
        const string Secret = "first-applications-own-secret";
        await team.Owner.PostForIdAsync($"/api/application/{first}/secret", new { key = "GREETING", value = Secret });
        await team.Owner.DeployOkAsync(first);
        var hostile = await DeployHostileAsync(Guid.NewGuid().ToString("N"));

        var processes = (await RuntimeSteps.GetJsonAsync(hostile.Url, "processes")).AsArray();
        var paths = new Dictionary<string, string>
        {
            ["data folder"] = Portal.DataDirectory,
            ["key ring"] = Path.Combine(Portal.DataDirectory, "keys"),
            ["other application's git cache"] = Path.Combine(Portal.DataDirectory, "runtime", "apps", first.ToString("N"), "git.git", "HEAD"),
            ["other application's builds"] = Path.Combine(Portal.DataDirectory, "runtime", "apps", first.ToString("N"), "builds"),
            ["root's home"] = "/root",
            ["portal's build"] = Path.Combine(AppContext.BaseDirectory, "Portal.dll"),
            ["portal's environment"] = $"/proc/{Environment.ProcessId}/environ",
            ["first instance's environment"] = $"/proc/{Portal.InstanceProcessIds(first).Single()}/environ",
        };
        var reads = new Dictionary<string, JsonNode>();
        foreach (var (what, path) in paths)
        {
            reads[what] = await RuntimeSteps.GetJsonAsync(hostile.Url, $"read?path={Uri.EscapeDataString(path)}");
        }

        var everything = string.Join("\n", processes.Select(p => $"{p!["cmdline"]} {p["environ"]}"));
        Assert.DoesNotContain(Secret, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(EscapePortal.Marker, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("Platform.Tests", everything, StringComparison.Ordinal);
        Assert.DoesNotContain(processes, p => p!["pid"]!.GetValue<int>() == Environment.ProcessId);
        Assert.True(processes.Count <= 8, $"The instance saw {processes.Count} processes: {everything}");
        Assert.All(reads, r => Assert.False(r.Value["exists"]!.GetValue<bool>(), $"The instance found the {r.Key}: {r.Value.ToJsonString()}"));
    }

    [Fact]
    public async Task Instance_ReachesItsDatabase_ButNotThePortal_HostServices_NorAnotherEnvironmentsInstance()
    {
        using var hostService = new TcpListener(IPAddress.Any, 0);
        hostService.Start();
        var servicePort = ((IPEndPoint)hostService.LocalEndpoint).Port;
        using var sample = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var team = await RuntimeTeam.OfAsync(Portal);
        var other = await team.Owner.CreateApplicationAsync(await team.CreateEnvironmentAsync(), RuntimeSteps.ApplicationBody(sample.Url));
        await team.Owner.DeployOkAsync(other);
        var otherInstance = Portal.InstanceEndpoint(other);
        var hostile = await DeployHostileAsync(Guid.NewGuid().ToString("N"), withDatabase: true);
        var seen = await RuntimeSteps.GetJsonAsync(hostile.Url, "whoami");
        var gateway = (await RuntimeSteps.GetJsonAsync(hostile.Url, "gateway"))["gateway"]!.GetValue<string>();
        var postgres = new NpgsqlConnectionStringBuilder(Portal.ConnectionString);
        var targets = new List<(string What, string Host, int Port)>
        {
            ("the portal on the sandbox's loopback", "127.0.0.1", Portal.ServerAddress.Port),
            ("the portal through the gateway", gateway, Portal.ServerAddress.Port),
            ("a host service through the gateway", gateway, servicePort),
            ("a host service listening on all addresses, through the database relay's address", seen["environment"]!["DATABASE_MAIN_HOST"]!.GetValue<string>(), servicePort),
            ("the embedded PostgreSQL on the sandbox's loopback", "127.0.0.1", postgres.Port),
            ("the embedded PostgreSQL through the gateway", gateway, postgres.Port),
            ("another environment's instance", otherInstance.Host, otherInstance.Port),
        };
        targets.AddRange(HostAddresses().Select(a => ($"a host service on {a}", a, servicePort)));

        var own = await ConnectAsync(hostile.Url, seen["environment"]!["DATABASE_MAIN_HOST"]!.GetValue<string>(), int.Parse(seen["environment"]!["DATABASE_MAIN_PORT"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        var attempts = new List<(string What, JsonNode Outcome)>();
        foreach (var (what, host, port) in targets)
        {
            attempts.Add((what, await ConnectAsync(hostile.Url, host, port)));
        }

        Assert.True(own["connected"]!.GetValue<bool>(), $"The instance could not reach its own database: {own.ToJsonString()}");
        Assert.All(attempts, a => Assert.False(a.Outcome["connected"]!.GetValue<bool>(), $"The instance reached {a.What}"));
    }

    [Fact]
    public async Task DatabaseRole_OpensItsOwnDatabase_ButNeitherThePortalsNorPostgres()
    {
        var hostile = await DeployHostileAsync(Guid.NewGuid().ToString("N"), withDatabase: true);
        var seen = await RuntimeSteps.GetJsonAsync(hostile.Url, "whoami");
        var portalDatabase = new NpgsqlConnectionStringBuilder(Portal.ConnectionString).Database!;

        var own = await RuntimeSteps.GetJsonAsync(hostile.Url, $"psql?db={seen["environment"]!["DATABASE_MAIN_NAME"]!.GetValue<string>()}");
        var portals = await RuntimeSteps.GetJsonAsync(hostile.Url, $"psql?db={portalDatabase}");
        var postgres = await RuntimeSteps.GetJsonAsync(hostile.Url, "psql?db=postgres");

        Assert.True(own["code"]!.GetValue<int>() == 0, $"The role could not open its own database: {own.ToJsonString()}");
        Assert.NotEqual(0, portals["code"]!.GetValue<int>());
        Assert.Contains("permission denied", portals["err"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotEqual(0, postgres["code"]!.GetValue<int>());
        Assert.Contains("permission denied", postgres["err"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForkBomb_LeavesThePortalAnswering_AndStaysWithinItsProcessLimit()
    {
        var hostile = await DeployHostileAsync(Guid.NewGuid().ToString("N"));
        var sandbox = Portal.InstanceProcessIds(hostile.Id).Single();

        await RuntimeSteps.GetJsonAsync(hostile.Url, "forkbomb");
        var (answers, most) = await WatchHealthAsync(TimeSpan.FromSeconds(10), () => ProcessTree(sandbox));
        var lines = await LogLinesAsync(hostile);
        await hostile.Owner.PostForDeploymentAsync($"/api/application/{hostile.Id}/stop");
        await hostile.Owner.WaitForStateAsync("application", hostile.Id, "STOPPED");

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a));
        Assert.True(most <= EscapePortal.MaxProcesses, $"The bomb's sandbox held {most} processes, over the limit of {EscapePortal.MaxProcesses}");
        Assert.Contains(lines, l => l.Contains("fork", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(0, await Poll.UntilAsync(() => Task.FromResult(ProcessTree(sandbox)), n => n == 0, "the bomb to be gone with its instance"));
    }

    [Fact]
    public async Task MemoryHog_IsKilledAtItsMemoryRequest_AndThePortalKeepsAnswering()
    {
        var hostile = await DeployHostileAsync(Guid.NewGuid().ToString("N"));

        await RuntimeSteps.GetJsonAsync(hostile.Url, "hog?mb=8192");
        var (answers, _) = await WatchHealthAsync(TimeSpan.FromSeconds(4), () => 0);
        await hostile.Owner.WaitForEventAsync(hostile.Id, "OOM_KILLED");
        var held = (await LogLinesAsync(hostile)).Where(l => l.StartsWith("hog holds ", StringComparison.Ordinal))
            .Select(l => int.Parse(l.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a));
        Assert.True(held < 8192, "The hog got all it asked for");
        if (Portal.Services.GetRequiredService<SandboxCgroups>().Available)
        {
            // The kernel enforces the request itself: the hog never held much more than its 64 MB.
            Assert.True(held <= 64 + 16, $"The hog held {held} MB with a memory request of 64 MB");
        }
    }

    private sealed record Hostile(HttpClient Owner, Guid Id, Uri Url);

    private async Task<Hostile> DeployHostileAsync(string marker, (string Key, string Value)? variable = null, bool withDatabase = false)
    {
        using var repository = await TestGitRepository.CreateAsync(HostileApp.Files(marker));
        var team = await RuntimeTeam.OfAsync(Portal);
        var environment = await team.CreateEnvironmentAsync();
        if (withDatabase)
        {
            var database = await team.Owner.PostForIdAsync($"/api/environment/{environment}/database", new { name = "main" });
            await team.Owner.EndedAsync(await team.Owner.PostForDeploymentAsync($"/api/database/{database}/deploy"));
        }

        var application = await team.Owner.CreateApplicationAsync(environment, Body(repository.Url));
        if (variable is { } v)
        {
            await team.Owner.PostForIdAsync($"/api/application/{application}/environmentVariable", new { key = v.Key, value = v.Value });
        }

        await team.Owner.DeployOkAsync(application);
        return new Hostile(team.Owner, application, await team.Owner.UrlAsync(application));
    }

    private static JsonObject Body(string repositoryUrl)
    {
        var body = RuntimeSteps.ApplicationBody(repositoryUrl, "hostile");
        body["build_command"] = HostileApp.BuildCommand;
        body["start_command"] = HostileApp.StartCommand;
        return body;
    }

    private static async Task<JsonNode> ConnectAsync(Uri hostile, string host, int port) =>
        await RuntimeSteps.GetJsonAsync(hostile, $"connect?host={Uri.EscapeDataString(host)}&port={port}");

    private static async Task<List<string>> LogLinesAsync(Hostile hostile) =>
        (await hostile.Owner.GetResultsAsync($"/api/application/{hostile.Id}/log?tail=500")).Select(l => l!["message"]!.GetValue<string>()).ToList();

    /// <summary>Asks the portal's /healthz twice a second for a while, each within 5 s; answers the statuses and the most of a count seen meanwhile.</summary>
    private async Task<(List<HttpStatusCode> Answers, int Most)> WatchHealthAsync(TimeSpan period, Func<int> count)
    {
        using var client = Portal.CreateAnonymousClient();
        client.Timeout = TimeSpan.FromSeconds(5);
        var answers = new List<HttpStatusCode>();
        var most = 0;
        var until = DateTime.UtcNow + period;
        while (DateTime.UtcNow < until)
        {
            try
            {
                using var response = await client.GetAsync("/healthz");
                answers.Add(response.StatusCode);
            }
            catch (TaskCanceledException)
            {
                answers.Add(HttpStatusCode.RequestTimeout);
            }

            most = Math.Max(most, count());
            await Task.Delay(500);
        }

        return (answers, most);
    }

    /// <summary>How many live processes (not zombies) a process and its descendants are, read from the host's /proc.</summary>
    private static int ProcessTree(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var directory in Directory.GetDirectories("/proc"))
        {
            try
            {
                if (int.TryParse(Path.GetFileName(directory), System.Globalization.CultureInfo.InvariantCulture, out var pid))
                {
                    var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    if (fields[0] != "Z")
                    {
                        parents[pid] = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
        }

        var count = 0;
        var pending = new Stack<int>([root]);
        while (pending.TryPop(out var pid))
        {
            if (parents.ContainsKey(pid))
            {
                count++;
            }

            foreach (var child in parents.Where(p => p.Value == pid).Select(p => p.Key))
            {
                pending.Push(child);
            }
        }

        return count;
    }

    /// <summary>This machine's own IPv4 addresses, but loopback and the sandbox network's.</summary>
    private static IEnumerable<string> HostAddresses() => NetworkInterface.GetAllNetworkInterfaces()
        .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback && !i.Name.StartsWith(SandboxNetwork.InterfacePrefix, StringComparison.Ordinal))
        .SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(a => a.Address)
        .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a)).Select(a => a.ToString()).Distinct();
}
