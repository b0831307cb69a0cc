using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Platform.Domain.Deployments;
using Platform.Domain.Runtime;
using Platform.Tests.Support;

namespace Platform.Tests.Deployments;

/// <summary>A real portal (engine, API, PostgreSQL) whose runtime is the in-memory fake: deployments run, no process starts.</summary>
public sealed class FakeRuntimePortal : IAsyncLifetime
{
    public FakeRuntimePortal() => Portal = PortalFactory.With(new Dictionary<string, string?>(), services => FakeRuntime.Replace(services, State));

    public FakeRuntimeState State { get; } = new();

    public PortalFactory Portal { get; }

    public FakeRuntime Runtime => FakeRuntime.Of(Portal);

    public Task InitializeAsync() => Portal.InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)Portal).DisposeAsync();
}

/// <summary>
/// The deployment engine's rules (queueing, abort, rollback from the snapshot, the reconcile after a restart, deletion,
/// archive), through the API, on the fake runtime: what the runtime was told is read from the fake's record of orders.
/// </summary>
public sealed class EngineRuleTests(FakeRuntimePortal fake) : IClassFixture<FakeRuntimePortal>
{
    private FakeRuntimeState State => fake.State;

    [Fact]
    public async Task SecondDeploy_OfAnEnvironment_WaitsQueued_UntilTheFirstEnds()
    {
        var team = await RuntimeTeam.OfAsync(fake.Portal);
        var gate = CatalogueSteps.Unique();
        var application = await CreateApplicationAsync(team, await team.CreateEnvironmentAsync(), buildCommand: $"hold {gate}");
        var first = await team.Owner.DeployAsync(application);
        await ReachedAsync(gate);

        var second = await team.Owner.DeployAsync(application);
        // Another environment's deployment is claimed and runs to its end meanwhile: the engine looked at the queue and passed the second over.
        await team.Owner.DeployOkAsync(await CreateApplicationAsync(team, await team.CreateEnvironmentAsync()));
        var waiting = await team.Owner.DeploymentAsync(second);
        var ordersWhileWaiting = State.Calls.Where(c => c.DeploymentId == ServiceDeploymentId(second, application)).ToList();
        State.Gate(gate).Open();
        var firstEnded = await team.Owner.EndedAsync(first);
        var secondEnded = await team.Owner.EndedAsync(second);

        Assert.Equal("QUEUED", waiting.State());
        Assert.Empty(ordersWhileWaiting);
        Assert.Equal(("OK", "OK"), (firstEnded.State(), secondEnded.State()));
        Assert.True(At(secondEnded, "started_at") >= At(firstEnded, "finished_at"),
            $"The second started at {At(secondEnded, "started_at"):O}, before the first finished at {At(firstEnded, "finished_at"):O}.");
    }

    [Fact]
    public async Task Deployments_OfTwoEnvironments_RunSideBySide()
    {
        var team = await RuntimeTeam.OfAsync(fake.Portal);
        var (one, two) = (CatalogueSteps.Unique(), CatalogueSteps.Unique());
        var first = await team.Owner.DeployAsync(await CreateApplicationAsync(team, await team.CreateEnvironmentAsync(), buildCommand: $"hold {one}"));
        var second = await team.Owner.DeployAsync(await CreateApplicationAsync(team, await team.CreateEnvironmentAsync(), buildCommand: $"hold {two}"));

        // Both builds wait at their gates at once: neither gate opens before both are reached.
        await ReachedAsync(one);
        await ReachedAsync(two);
        var during = (await team.Owner.DeploymentAsync(first), await team.Owner.DeploymentAsync(second));
        State.Gate(one).Open();
        State.Gate(two).Open();

        Assert.Equal(("DEPLOYMENT_IN_PROGRESS", "DEPLOYMENT_IN_PROGRESS"), (during.Item1.State(), during.Item2.State()));
        Assert.Equal(("OK", "OK"), ((await team.Owner.EndedAsync(first)).State(), (await team.Owner.EndedAsync(second)).State()));
    }

    [Fact]
    public async Task Abort_OfAQueuedDeployment_EndsItAborted_AndItNeverReachesTheRuntime()
    {
        var team = await RuntimeTeam.OfAsync(fake.Portal);
        var environment = await team.CreateEnvironmentAsync();
        var gate = CatalogueSteps.Unique();
        var application = await CreateApplicationAsync(team, environment, buildCommand: $"hold {gate}");
        var first = await team.Owner.DeployAsync(application);
        await ReachedAsync(gate);
        var second = await team.Owner.DeployAsync(application);

        await team.Owner.PostForDeploymentAsync($"/api/environment/{environment}/deployment/{second.Text("id")}/abortDeploy");
        var aborted = await team.Owner.EndedAsync(second);
        State.Gate(gate).Open();
        var firstEnded = await team.Owner.EndedAsync(first);
        // A later deployment is claimed after the first ended: had the aborted one still been queued, it would have gone first.
        await team.Owner.DeployOkAsync(application);

        Assert.Equal("ABORTED", aborted.State());
        Assert.Equal("Aborted before it started.", aborted["status"]!.Text("message"));
        Assert.Equal("OK", firstEnded.State());
        Assert.DoesNotContain(State.Calls, c => c.DeploymentId == ServiceDeploymentId(second, application));
    }

    [Fact]
    public async Task Abort_DuringASlowBuild_EndsAborted_AndThePreviousReleaseKeepsServing()
    {
        var team = await RuntimeTeam.OfAsync(fake.Portal);
        var environment = await team.CreateEnvironmentAsync();
        var (application, repository) = await CreateApplicationWithRepositoryAsync(team, environment);
        var live = ServiceDeploymentId(await team.Owner.DeployOkAsync(application), application);
        repository.Commit("v2", "Second version");
        var gate = CatalogueSteps.Unique();
        await team.Owner.UpdateApplicationAsync(application, new { build_command = $"hold {gate}" });
        var deployment = await team.Owner.DeployAsync(application);
        await ReachedAsync(gate);

        await team.Owner.PostForDeploymentAsync($"/api/environment/{environment}/deployment/{deployment.Text("id")}/abortDeploy");
        var ended = await team.Owner.EndedAsync(deployment);

        Assert.Equal("ABORTED", ended.State());
        Assert.Equal("ABORTED", Step(ended, "Build"));
        Assert.Equal("RUNNING", await team.Owner.ApplicationStateAsync(application));
        Assert.Equal((live, "v1"), (fake.Runtime.Live(application)?.DeploymentId, fake.Runtime.Live(application)?.Version));
        Assert.DoesNotContain(State.Calls, c => c.Member == nameof(IRuntime.StartAsync) && c.DeploymentId == ServiceDeploymentId(deployment, application));
    }

    [Fact]
    public async Task Abort_DuringASlowStart_DiscardsTheNewRelease_AndThePreviousKeepsServing()
    {
        var team = await RuntimeTeam.OfAsync(fake.Portal);
        var environment = await team.CreateEnvironmentAsync();
        var application = await CreateApplicationAsync(team, environment);
        var live = ServiceDeploymentId(await team.Owner.DeployOkAsync(application), application);
        var gate = CatalogueSteps.Unique();
        await team.Owner.UpdateApplicationAsync(application, new { start_command = $"hold {gate}" });
        var deployment = await team.Owner.DeployAsync(application);
        await ReachedAsync(gate);

        await team.Owner.PostForDeploymentAsync($"/api/environment/{environment}/deployment/{deployment.Text("id")}/abortDeploy");
        var ended = await team.Owner.EndedAsync(deployment);

        Assert.Equal("ABORTED", ended.State());
        Assert.Equal("RUNNING", await team.Owner.ApplicationStateAsync(application));
        Assert.Equal([live], fake.Runtime.Running(application).Select(r => r.DeploymentId));
        Assert.Equal(live, fake.Runtime.Live(application)?.DeploymentId);
    }

    [Fact]
    public async Task Rollback_RunsTheSnapshotsCommitSettingsAndVariables_NotTodays()
    {
        var team = await RuntimeTeam.OfAsync(fake.Portal);
        var environment = await team.CreateEnvironmentAsync();
        var (application, repository) = await CreateApplicationWithRepositoryAsync(team, environment);
        var greeting = await team.Owner.PostForIdAsync($"/api/application/{application}/environmentVariable", new { key = "GREETING", value = "first" });
        var first = await team.Owner.DeployOkAsync(application);
        var firstBuild = StartOrderOf(ServiceDeploymentId(first, application)).BuildId;
        repository.Commit("v2", "Second version");
        await (await team.Owner.PutAsJsonAsync($"/api/environmentVariable/{greeting}", new { value = "second" })).ExpectAsync(HttpStatusCode.OK, "PUT variable");
        await team.Owner.UpdateApplicationAsync(application, new { memory = 128 });
        await team.Owner.DeployOkAsync(application);

        var rollback = await team.Owner.EndedAsync(
            await team.Owner.PostForDeploymentAsync($"/api/environment/{environment}/deployment/{first.Text("id")}/rollback"));

        var live = fake.Runtime.Live(application)!;
        Assert.Equal(("OK", "ROLLBACK"), (rollback.State(), rollback.Text("kind")));
        Assert.Equal(ServiceDeploymentId(rollback, application), live.DeploymentId);
        Assert.Equal(("v1", "first", 64), (live.Version, live.Order.Variables.Values["GREETING"], live.Order.Settings.Memory));
        Assert.Equal(firstBuild, live.BuildId);
        Assert.DoesNotContain(State.Calls, c => c.Member == nameof(IRuntime.FetchAsync) && c.DeploymentId == live.DeploymentId);
        Assert.Equal(128, (await team.Owner.GetObjectAsync($"/api/application/{application}"))["memory"]!.GetValue<int>());
    }

    [Fact]
    public async Task Rollback_WhenTheKeptBuildIsGone_FetchesTheSnapshotsCommitAgain()
    {
        var team = await RuntimeTeam.OfAsync(fake.Portal);
        var environment = await team.CreateEnvironmentAsync();
        var (application, repository) = await CreateApplicationWithRepositoryAsync(team, environment);
        var first = await team.Owner.DeployOkAsync(application);
        var firstCommit = first["commit"]!.Text("long_id");
        repository.Commit("v2", "Second version");
        await team.Owner.DeployOkAsync(application);
        State.ForgetBuild(StartOrderOf(ServiceDeploymentId(first, application)).BuildId);

        var rollback = await team.Owner.EndedAsync(
            await team.Owner.PostForDeploymentAsync($"/api/environment/{environment}/deployment/{first.Text("id")}/rollback"));

        var service = ServiceDeploymentId(rollback, application);
        var fetch = State.Calls.Single(c => c.Member == nameof(IRuntime.FetchAsync) && c.DeploymentId == service);
        Assert.Equal("OK", rollback.State());
        Assert.Equal(firstCommit, ((FetchOrder)fetch.Order!).CommitId);
        Assert.Equal("v1", fake.Runtime.Live(application)?.Version);
    }

    [Fact]
    public async Task PortalRestart_DuringADeployment_EndsItFailedAsInterrupted_AndARestoreRunsTheLiveReleaseAgain()
    {
        var state = new FakeRuntimeState();
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"platform-test-data-{Guid.NewGuid():N}");
        try
        {
            JsonObject interrupted;
            Guid application, database;
            string liveBuild;
            System.Net.Http.Headers.AuthenticationHeaderValue credentials;
            await using (var first = PortalFactory.On(connectionString, dataDirectory, services: s => FakeRuntime.Replace(s, state)))
            {
                await first.InitializeAsync();
                var team = await RuntimeTeam.OfAsync(first);
                var environment = await team.CreateEnvironmentAsync();
                database = await team.Owner.PostForIdAsync($"/api/environment/{environment}/database", new { name = "main" });
                Assert.Equal("OK", (await team.Owner.EndedAsync(await team.Owner.PostForDeploymentAsync($"/api/database/{database}/deploy"))).State());
                (application, _) = await CreateApplicationWithRepositoryAsync(team, environment, state);
                liveBuild = StartOrderOf(ServiceDeploymentId(await team.Owner.DeployOkAsync(application), application), state).BuildId;
                var gate = CatalogueSteps.Unique();
                await team.Owner.UpdateApplicationAsync(application, new { build_command = $"hold {gate}" });
                interrupted = await team.Owner.DeployAsync(application);
                await state.Gate(gate).Reached.WaitAsync(RuntimeSteps.Timeout);
                credentials = team.Owner.DefaultRequestHeaders.Authorization!;
            }

            await using var second = PortalFactory.On(connectionString, dataDirectory, services: s => FakeRuntime.Replace(s, state));
            await second.InitializeAsync();
            using var owner = second.CreateAnonymousClient();
            owner.DefaultRequestHeaders.Authorization = credentials;
            var ended = await owner.EndedAsync(interrupted);
            var restore = await owner.EndedAsync((await owner.GetResultsAsync($"/api/environment/{interrupted.Text("environment_id")}/deployment"))
                .First(d => d.Text("kind") == "RESTORE")!.AsObject());

            var live = FakeRuntime.Of(second).Live(application);
            Assert.Equal(("FAILED", DeploymentEngine.InterruptedMessage), (ended.State(), ended["status"]!.Text("message")));
            Assert.Equal("OK", restore.State());
            Assert.Null(restore["owner"]);
            Assert.Equal((ServiceDeploymentId(restore, application), liveBuild, "v1"), (live?.DeploymentId, live?.BuildId, live?.Version));
            Assert.DoesNotContain(state.Calls, c => c.Member == nameof(IRuntime.FetchAsync) && c.DeploymentId == live!.DeploymentId);
            Assert.Equal(2, state.CallsFor(database).Count(c => c.Member == nameof(IRuntime.DeployDatabaseAsync)));
            Assert.Equal("RUNNING", await owner.ApplicationStateAsync(application));
        }
        finally
        {
            TestPostgres.DeleteQuietly(dataDirectory);
        }
    }

    [Fact]
    public async Task DeleteApplication_IsADeleteDeployment_ThatDeletesItFromTheRuntime_AndRemovesTheRow()
    {
        var team = await RuntimeTeam.OfAsync(fake.Portal);
        var environment = await team.CreateEnvironmentAsync();
        var application = await CreateApplicationAsync(team, environment);
        await team.Owner.DeployOkAsync(application);

        var deleted = await team.Owner.DeleteAsync($"/api/application/{application}");

        var deletion = (await team.Owner.GetResultsAsync($"/api/environment/{environment}/deployment"))[0]!;
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await team.Owner.GetAsync($"/api/application/{application}")).StatusCode);
        Assert.Equal(("DELETE", "OK"), (deletion.Text("kind"), deletion.State()));
        Assert.Equal(nameof(IRuntime.DeleteApplicationAsync), State.CallsFor(application)[^1].Member);
        Assert.Null(fake.Runtime.Live(application));
        Assert.Empty(State.BuildsOf(application));
    }

    [Fact]
    public async Task Archive_StopsRunningServices_ThroughAnArchiveDeployment()
    {
        var team = await RuntimeTeam.OfAsync(fake.Portal);
        var environment = await team.CreateEnvironmentAsync();
        var application = await CreateApplicationAsync(team, environment);
        var database = await team.Owner.PostForIdAsync($"/api/environment/{environment}/database", new { name = "main" });
        Assert.Equal("OK", (await team.Owner.EndedAsync(await team.Owner.PostForDeploymentAsync($"/api/environment/{environment}/deploy"))).State());

        await (await team.Owner.PostAsync($"/api/environment/{environment}/archive", null)).ExpectAsync(HttpStatusCode.OK, "POST archive");

        var archive = (await team.Owner.GetResultsAsync($"/api/environment/{environment}/deployment"))[0]!;
        var stop = State.CallsFor(database)[^1];
        Assert.Equal(("ARCHIVE", "OK"), (archive.Text("kind"), archive.State()));
        Assert.Equal(nameof(IRuntime.StopAsync), State.CallsFor(application)[^1].Member);
        Assert.Equal(nameof(IRuntime.StopDatabaseAsync), stop.Member);
        Assert.False(State.AcceptsConnections((DatabaseOrder)stop.Order!));
        Assert.Null(fake.Runtime.Live(application));
        Assert.Equal(("STOPPED", "STOPPED"), (await team.Owner.ApplicationStateAsync(application), await team.Owner.ServiceStateAsync("database", database)));
    }

    private async Task<Guid> CreateApplicationAsync(RuntimeTeam team, Guid environmentId, string? buildCommand = null) =>
        (await CreateApplicationWithRepositoryAsync(team, environmentId, State, buildCommand)).Application;

    private Task<(Guid Application, FakeRepository Repository)> CreateApplicationWithRepositoryAsync(RuntimeTeam team, Guid environmentId) =>
        CreateApplicationWithRepositoryAsync(team, environmentId, State);

    /// <summary>An application of the sample's settings on a fake repository of its own, whose main holds v1.</summary>
    private static async Task<(Guid Application, FakeRepository Repository)> CreateApplicationWithRepositoryAsync(
        RuntimeTeam team, Guid environmentId, FakeRuntimeState state, string? buildCommand = null)
    {
        var repository = state.Repository($"https://git.example.com/shop/{CatalogueSteps.Unique()}.git");
        repository.Commit("v1", "First version");
        var body = RuntimeSteps.ApplicationBody(repository.Url, $"web-{CatalogueSteps.Unique()}");
        body["build_command"] = buildCommand;
        return (await team.Owner.CreateApplicationAsync(environmentId, body), repository);
    }

    private Task ReachedAsync(string gate) => State.Gate(gate).Reached.WaitAsync(RuntimeSteps.Timeout);

    private ReleaseOrder StartOrderOf(Guid serviceDeploymentId) => StartOrderOf(serviceDeploymentId, State);

    private static ReleaseOrder StartOrderOf(Guid serviceDeploymentId, FakeRuntimeState state) =>
        (ReleaseOrder)state.Calls.Single(c => c.Member == nameof(IRuntime.StartAsync) && c.DeploymentId == serviceDeploymentId).Order!;

    /// <summary>The id of the service's deployment within an environment deployment: the deployment id the runtime is given.</summary>
    private static Guid ServiceDeploymentId(JsonObject deployment, Guid serviceId) =>
        deployment["services"]!.AsArray().Single(s => s!["service"]!.Text("id") == serviceId.ToString())!.AsObject().Id();

    private static string? Step(JsonObject deployment, string name) =>
        deployment["services"]![0]!["steps"]!.AsArray().FirstOrDefault(s => s!.Text("name") == name)?.Text("state");

    private static DateTimeOffset At(JsonObject deployment, string field) => deployment[field]!.GetValue<DateTimeOffset>();
}
