using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Platform.Cli;
using Platform.Portal.Infrastructure;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Cli;

/// <summary>
/// The platform command-line client against the real portal: its commands run through the client's entry point with
/// captured writers (one as the built tool in a process), deployments carried out for real.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class CliTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    /// <summary>Prints a numbered line every 200 ms and answers /health on $PORT.</summary>
    private const string TickingApp = """
        import os
        import threading
        import time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


        def tick():
            n = 0
            while True:
                n += 1
                print(f"tick {n}", flush=True)
                time.sleep(0.2)


        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass


        threading.Thread(target=tick, daemon=True).start()
        ThreadingHTTPServer(("", int(os.environ["PORT"])), Handler).serve_forever()
        """;

    private sealed record Team(HttpClient Owner, string Token, Guid EnvironmentId, CliRunner Cli);

    private sealed record Deployed(Guid ApplicationId, CliRun Run);

    [Fact]
    public async Task DeploySucceedsAndStreamsTheBuildLogs()
    {
        var deployed = await DeployedAsync();

        Assert.True(deployed.Run.ExitCode == ExitCodes.Ok, deployed.Run.ToString());
        Assert.True(deployed.Run.Out.Contains("cli-build-marker", StringComparison.Ordinal), deployed.Run.ToString());
        Assert.Contains("Deployment: OK", deployed.Run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeployOfABrokenApplicationExitsNonZero()
    {
        var team = await TeamAsync();
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var body = RuntimeSteps.ApplicationBody(repository.Url, "broken");
        body["build_command"] = "exit 3";
        var application = await team.Owner.CreateApplicationAsync(team.EnvironmentId, body);

        var run = await team.Cli.RunAsync("deploy", "--app", application.ToString());

        Assert.True(run.ExitCode == ExitCodes.BuildError, run.ToString());
        Assert.Contains("BUILD_ERROR", run.Error, StringComparison.Ordinal);
        Assert.Contains("exited with code 3", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogsFollowPrintsLinesAsTheyCome()
    {
        var team = await TeamAsync();
        var deployed = await DeployedAsync();
        Assert.True(deployed.Run.ExitCode == ExitCodes.Ok, deployed.Run.ToString());
        using var stop = new CancellationTokenSource();
        using var output = new WatchedWriter();

        // One line from the tail at most: the others can only come live from the hub.
        var following = team.Cli.RunAsync(["logs", "--app", deployed.ApplicationId.ToString(), "--follow", "--tail", "1"], output, "", stop.Token);
        await output.UntilAsync(text => Ticks(text) >= 4, "four tick lines");
        var stillFollowing = !following.IsCompleted;
        await stop.CancelAsync();
        var run = await following;

        Assert.True(stillFollowing, run.ToString());
        Assert.Equal(ExitCodes.Ok, run.ExitCode);
    }

    [Fact]
    public async Task Login_WithThePasswordOnStdin_WritesAConfigOnlyItsOwnerCanRead()
    {
        var user = ApiSessions.NewUser();
        using var anonymous = portal.CreateAnonymousClient();
        (await anonymous.RegisterAsync(user)).EnsureSuccessStatusCode();
        var home = Path.Combine(Path.GetTempPath(), $"platform-cli-config-{Guid.NewGuid():N}");
        var cli = new CliRunner(new Dictionary<string, string?> { ["XDG_CONFIG_HOME"] = home });
        try
        {
            var login = await cli.RunAsync(["login", "--url", portal.ServerAddress.ToString(), "--email", user.Email, "--password-stdin"], new WatchedWriter(), user.Password + "\n", default);
            var listed = await cli.RunAsync("org", "list");

            Assert.True(login.ExitCode == ExitCodes.Ok, login.ToString());
            var file = Path.Combine(home, "platform", "config.json");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
            var token = JsonNode.Parse(await File.ReadAllTextAsync(file))!["token"]!.GetValue<string>();
            Assert.DoesNotContain(token, login.Out + login.Error, StringComparison.Ordinal);
            Assert.True(listed.ExitCode == ExitCodes.Ok, listed.ToString());
        }
        finally
        {
            TestPostgres.DeleteQuietly(home);
        }
    }

    [Fact]
    public async Task OrgList_OutputJson_IsTheApisJson()
    {
        var team = await TeamAsync();

        var run = await team.Cli.RunAsync("org", "list", "--output", "json");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(await team.Owner.GetStringAsync("/api/organization")), JsonNode.Parse(run.Out)), run.Out);
    }

    [Fact]
    public async Task AppList_Table_ShowsTheApplicationCreatedByAppCreate()
    {
        var team = await TeamAsync();
        var environment = await team.Owner.PostForIdAsync($"/api/project/{await ProjectOfAsync(team)}/environment", new { name = $"env-{CatalogueSteps.Unique()}", mode = "DEVELOPMENT" });

        var created = await team.Cli.RunAsync("app", "create", "--env", environment.ToString(), "--name", "api", "--git-url", "https://example.com/shop.git",
            "--build-command", "make", "--start-command", "./serve", "--port", "9000", "--memory", "128");
        var listed = await team.Cli.RunAsync("app", "list", "--env", environment.ToString());

        Assert.True(created.ExitCode == ExitCodes.Ok, created.ToString());
        var application = (await team.Owner.GetResultsAsync($"/api/environment/{environment}/application")).Single()!;
        Assert.Equal(("api", 9000, 128, "make"), (application.Text("name"), application["port"]!.GetValue<int>(), application["memory"]!.GetValue<int>(), application.Text("build_command")));
        Assert.Contains(application.Text("id")!, listed.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_OfAnUnknownApplication_RunAsAProcess_PrintsTheProblemWithoutAStackTraceAndExits1()
    {
        var team = await TeamAsync();

        var run = await team.Cli.RunProcessAsync("status", "--app", Guid.NewGuid().ToString());

        Assert.True(run.ExitCode == ExitCodes.Failed, run.ToString());
        Assert.StartsWith("Error 404", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(team.Token, run.Out + run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public async Task MissingOption_ExitsWithTheUsageCode()
    {
        var team = await TeamAsync();

        var run = await team.Cli.RunAsync("deploy");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--app is required", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachablePortal_SaysWhichUrlCouldNotBeReached()
    {
        var url = $"http://127.0.0.1:{FreePorts.Next()}/";
        var cli = new CliRunner(new Dictionary<string, string?> { ["PLATFORM_URL"] = url, ["PLATFORM_TOKEN"] = "unused", ["XDG_CONFIG_HOME"] = "/nonexistent" });

        var run = await cli.RunAsync("org", "list");

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.StartsWith($"{url} could not be reached", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VarSet_CreatesThenChangesTheApplicationsVariable_AndVarUnsetDeletesIt()
    {
        var team = await TeamAsync();
        var application = await team.Owner.CreateApplicationAsync(team.EnvironmentId, RuntimeSteps.ApplicationBody("https://example.com/vars.git", $"vars-{CatalogueSteps.Unique()}"));
        var app = application.ToString();

        var first = await team.Cli.RunAsync("var", "set", "GREETING=hello", "--app", app);
        var created = await OwnVariablesAsync(team, application);
        var second = await team.Cli.RunAsync("var", "set", "GREETING=hello=again", "--app", app);
        var changed = await OwnVariablesAsync(team, application);
        var unset = await team.Cli.RunAsync("var", "unset", "GREETING", "--app", app);

        Assert.True((first.ExitCode, second.ExitCode, unset.ExitCode) == (0, 0, 0), $"{first}\n{second}\n{unset}");
        Assert.Equal("hello", created.Single().Text("value"));
        Assert.Equal((created.Single().Text("id"), "hello=again"), (changed.Single().Text("id"), changed.Single().Text("value")));
        Assert.Empty(await OwnVariablesAsync(team, application));
    }

    [Fact]
    public async Task EnvImport_OfADotEnvFile_CreatesTheEnvironmentsVariables()
    {
        var team = await TeamAsync();
        var file = Path.Combine(Path.GetTempPath(), $"platform-cli-{Guid.NewGuid():N}.env");
        await File.WriteAllTextAsync(file, "IMPORTED_A=1\n# a comment\nIMPORTED_B=two words\n");
        try
        {
            var run = await team.Cli.RunAsync("env", "import", file, "--env", team.EnvironmentId.ToString());

            Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
            Assert.Contains("created: IMPORTED_A, IMPORTED_B", run.Out, StringComparison.Ordinal);
            var variables = (await team.Owner.GetResultsAsync($"/api/environment/{team.EnvironmentId}/environmentVariable"))
                .Where(v => v.Text("key")!.StartsWith("IMPORTED_", StringComparison.Ordinal)).ToDictionary(v => v.Text("key")!, v => v.Text("value"));
            Assert.Equal(new Dictionary<string, string?> { ["IMPORTED_A"] = "1", ["IMPORTED_B"] = "two words" }, variables);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private Task<Team> TeamAsync() => portal.SharedAsync(async p =>
    {
        var runtime = await RuntimeTeam.OfAsync(p);
        var token = runtime.Owner.DefaultRequestHeaders.Authorization!.Parameter!;
        var cli = new CliRunner(new Dictionary<string, string?>
        {
            ["PLATFORM_URL"] = p.ServerAddress.ToString(),
            ["PLATFORM_TOKEN"] = token,
            ["XDG_CONFIG_HOME"] = "/nonexistent",
        });
        return new Team(runtime.Owner, token, await runtime.CreateEnvironmentAsync(), cli);
    });

    /// <summary>The ticking application, deployed once per class by the client itself; what the deploy printed is kept.</summary>
    private Task<Deployed> DeployedAsync() => portal.SharedAsync(async _ =>
    {
        var team = await TeamAsync();
        using var repository = await TestGitRepository.CreateAsync(new Dictionary<string, string> { ["tick.py"] = TickingApp });
        var body = RuntimeSteps.ApplicationBody(repository.Url, "ticker");
        body["start_command"] = "python3 tick.py";
        body["build_command"] = "echo cli-build-marker";
        var application = await team.Owner.CreateApplicationAsync(team.EnvironmentId, body);
        return new Deployed(application, await team.Cli.RunAsync("deploy", "--app", application.ToString()));
    });

    private async Task<Guid> ProjectOfAsync(Team team) => (await RuntimeTeam.OfAsync(portal)).ProjectId;

    private static async Task<List<JsonNode>> OwnVariablesAsync(Team team, Guid application) =>
        (await team.Owner.GetResultsAsync($"/api/application/{application}/environmentVariable"))
            .Where(v => v.Text("scope") == "APPLICATION").Select(v => v!).ToList();

    private static int Ticks(string text) => TickLine().Matches(text).Select(m => m.Value).Distinct().Count();

    [GeneratedRegex(@"tick \d+")]
    private static partial Regex TickLine();
}
