using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Applications;
using Platform.Domain.Runtime;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Applications;

/// <summary>
/// The repository check's rules on the fake runtime, through the real engine and API: credentials reach the branch
/// head's question as they reach a fetch; auto-deploy queues nothing while a deployment of the application is in
/// flight, and queues a commit once; archived environments are not checked.
/// </summary>
public sealed class RepositoryCheckRuleTests(FakeRuntimePortal fake) : IClassFixture<FakeRuntimePortal>
{
    private FakeRuntimeState State => fake.State;

    [Fact]
    public async Task Credentials_ReachTheBranchHeadQuestion_AsTheyReachTheFetchOrder()
    {
        var team = await RuntimeTeam.OfAsync(fake.Portal);
        var password = $"pw-{Guid.NewGuid():N}";
        var plain = $"https://git.example.com/shop/{CatalogueSteps.Unique()}.git";
        State.Repository(plain).Commit("v1", "First version");
        var application = await team.Owner.CreateApplicationAsync(await team.CreateEnvironmentAsync(),
            RuntimeSteps.ApplicationBody(plain.Replace("https://", $"https://deployer:{password}@", StringComparison.Ordinal)));
        await team.Owner.DeployOkAsync(application);

        await CheckAsync(application);

        var calls = State.CallsFor(application);
        var fetch = (FetchOrder)calls.Last(c => c.Member == nameof(IRuntime.FetchAsync)).Order!;
        var head = calls.Single(c => c.Member == nameof(IRuntime.BranchHeadAsync));
        Assert.Equal(new GitCredentials("deployer", password), head.Credentials);
        Assert.Equal(fetch.Credentials, head.Credentials);
        Assert.Equal(fetch.Source, (GitSource)head.Order!);
        Assert.Equal(plain, ((GitSource)head.Order!).Url);
    }

    [Fact]
    public async Task AutoDeploy_WhileItsDeploymentIsInFlight_QueuesNothingMore_ThenTheNextCommitOnceItEnded()
    {
        var team = await RuntimeTeam.OfAsync(fake.Portal);
        var environment = await team.CreateEnvironmentAsync();
        var (application, repository) = await AutoDeployedAsync(team, environment);
        var gate = CatalogueSteps.Unique();
        await team.Owner.UpdateApplicationAsync(application, new { build_command = $"hold {gate}" });
        var second = repository.Commit("v2", "Second version");

        var first = await CheckAsync(application);
        await State.Gate(gate).Reached.WaitAsync(RuntimeSteps.Timeout);
        var during = await CheckAsync(application);
        var third = repository.Commit("v3", "Third version");
        var duringNewer = await CheckAsync(application);
        var queuedWhileInFlight = await DeploymentCountAsync(team, application);
        State.Gate(gate).Open();
        var ended = await team.Owner.EndedAsync(await team.Owner.GetObjectAsync($"/api/environment/{environment}/deployment/{first.AutoDeploymentId}"));
        var next = await CheckAsync(application);
        var nextEnded = await team.Owner.EndedAsync(await team.Owner.GetObjectAsync($"/api/environment/{environment}/deployment/{next.AutoDeploymentId}"));

        Assert.NotNull(first.AutoDeploymentId);
        Assert.Null(during.AutoDeploymentId);
        Assert.Null(duringNewer.AutoDeploymentId);
        Assert.Equal(2, queuedWhileInFlight);
        Assert.Equal(("OK", second), (ended.State(), ended["commit"].Text("long_id")));
        Assert.Equal(("OK", third), (nextEnded.State(), nextEnded["commit"].Text("long_id")));
        Assert.Equal("v3", fake.Runtime.Live(application)?.Version);
    }

    [Fact]
    public async Task AutoDeploy_ThatFailed_IsNotRetried_ForTheSameCommit()
    {
        var team = await RuntimeTeam.OfAsync(fake.Portal);
        var environment = await team.CreateEnvironmentAsync();
        var (application, repository) = await AutoDeployedAsync(team, environment);
        await team.Owner.UpdateApplicationAsync(application, new { build_command = "exit 3" });
        repository.Commit("v2", "Second version");

        var first = await CheckAsync(application);
        var failed = await team.Owner.EndedAsync(await team.Owner.GetObjectAsync($"/api/environment/{environment}/deployment/{first.AutoDeploymentId}"));
        var again = await CheckAsync(application);
        var flags = (await team.Owner.GetObjectAsync($"/api/application/{application}"))["flags"]!.AsArray().Select(f => f!.GetValue<string>());

        Assert.Equal("FAILED", failed.State());
        Assert.Null(again.AutoDeploymentId);
        Assert.Equal(2, await DeploymentCountAsync(team, application));
        // The new commit still waits to be deployed: the flag says so, and a person may deploy it.
        Assert.Contains("UPDATE_AVAILABLE", flags);
    }

    [Fact]
    public async Task AutoDeploy_OfAStoppedApplication_QueuesNothing()
    {
        var team = await RuntimeTeam.OfAsync(fake.Portal);
        var environment = await team.CreateEnvironmentAsync();
        var (application, repository) = await AutoDeployedAsync(team, environment);
        await team.Owner.EndedAsync(await team.Owner.PostForDeploymentAsync($"/api/application/{application}/stop"));
        repository.Commit("v2", "Second version");

        var found = await CheckAsync(application);

        Assert.NotNull(found.LatestCommitId);
        Assert.Null(found.AutoDeploymentId);
    }

    [Fact]
    public async Task ArchivedEnvironment_IsNotChecked()
    {
        var team = await RuntimeTeam.OfAsync(fake.Portal);
        var environment = await team.CreateEnvironmentAsync();
        var (application, _) = await AutoDeployedAsync(team, environment);
        await (await team.Owner.PostAsync($"/api/environment/{environment}/archive", null)).ExpectAsync(System.Net.HttpStatusCode.OK, "POST archive");

        await using var scope = fake.Portal.Services.CreateAsyncScope();
        var checks = scope.ServiceProvider.GetRequiredService<RepositoryChecks>();
        var one = await checks.CheckAsync(application, CancellationToken.None);
        var all = await checks.CheckAllAsync(CancellationToken.None);

        Assert.Null(one);
        Assert.DoesNotContain(all, o => o.ApplicationId == application);
        Assert.DoesNotContain(State.CallsFor(application), c => c.Member == nameof(IRuntime.BranchHeadAsync));
    }

    /// <summary>An application with auto-deploy on, on a fake repository of its own, deployed at v1.</summary>
    private async Task<(Guid Application, FakeRepository Repository)> AutoDeployedAsync(RuntimeTeam team, Guid environment)
    {
        var repository = State.Repository($"https://git.example.com/shop/{CatalogueSteps.Unique()}.git");
        repository.Commit("v1", "First version");
        var body = RuntimeSteps.ApplicationBody(repository.Url, $"web-{CatalogueSteps.Unique()}");
        body["auto_deploy"] = true;
        var application = await team.Owner.CreateApplicationAsync(environment, body);
        await team.Owner.DeployOkAsync(application);
        return (application, repository);
    }

    private Task<RepositoryCheckOutcome> CheckAsync(Guid application) => fake.Portal.CheckRepositoryAsync(application);

    private static async Task<int> DeploymentCountAsync(RuntimeTeam team, Guid application) =>
        (await team.Owner.GetResultsAsync($"/api/application/{application}/deployment?tail=50")).Count;
}
