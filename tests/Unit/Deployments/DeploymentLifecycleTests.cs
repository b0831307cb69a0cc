using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Platform.Tests.Support;

namespace Platform.Tests.Deployments;

/// <summary>
/// Deployments carried out for real: applications built from git repositories the tests make, run as processes
/// behind the portal's router.
/// </summary>
public sealed class DeploymentLifecycleTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Deploy_RunsTheApplication_AnsweringThroughTheRouter()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var (owner, application) = await NewApplicationAsync(repository);
        await owner.PostForIdAsync($"/api/application/{application}/environmentVariable", new { key = "GREETING", value = "hello" });

        var deployment = await owner.DeployOkAsync(application);

        Assert.Equal("RUNNING", await owner.ApplicationStateAsync(application));
        var answer = await RuntimeSteps.GetJsonAsync(await owner.UrlAsync(application));
        Assert.Equal("v1", answer.Version());
        Assert.Equal("hello", answer["greeting"]!.GetValue<string>());
        Assert.Equal(repository.Commits[0], deployment["services"]![0]!["commit"]!["long_id"]!.GetValue<string>());
        Assert.Equal(repository.Commits[0], deployment["commit"]!["long_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Redeploy_OfASecondCommit_SwitchesVersionWithoutAFailedRequest()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var (owner, application) = await NewApplicationAsync(repository);
        await owner.DeployOkAsync(application);
        var url = await owner.UrlAsync(application);
        await repository.CommitAsync(SampleApp.Files("v2"), "Second version");

        using var stop = new CancellationTokenSource();
        var callers = Enumerable.Range(0, 4).Select(_ => CallContinuouslyAsync(url, stop.Token)).ToList();
        await Task.Delay(500);
        await owner.DeployOkAsync(application);
        await Task.Delay(1000);
        await stop.CancelAsync();
        var answers = await Task.WhenAll(callers);

        // An empty body counts as a failure too: a 200 that carries no answer is not one.
        var failures = answers.SelectMany(a => a).Where(a => a.Status != 200 || a.Body.Length == 0).ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} of {answers.Sum(a => a.Count)} calls failed: {string.Join("; ", failures.Take(5))}");
        foreach (var caller in answers)
        {
            var versions = caller.Select(a => JsonNode.Parse(a.Body)!.Version()).ToList();
            Assert.Equal("v1", versions[0]);
            Assert.Equal("v2", versions[^1]);
            Assert.DoesNotContain("v1", versions.SkipWhile(v => v == "v1"));
        }
    }

    [Fact]
    public async Task BrokenBuild_EndsBuildError_WhileTheOldVersionKeepsServing()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var (owner, application) = await NewApplicationAsync(repository);
        await owner.DeployOkAsync(application);
        await repository.CommitAsync(SampleApp.Files("v2"), "Second version");
        await owner.UpdateApplicationAsync(application, new { build_command = "exit 3" });

        var ended = await owner.EndedAsync(await owner.DeployAsync(application));

        Assert.Equal("FAILED", ended.State());
        Assert.Contains("exited with code 3", ended["services"]![0]!["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("BUILD_ERROR", await owner.ApplicationStateAsync(application));
        Assert.Equal("v1", (await RuntimeSteps.GetJsonAsync(await owner.UrlAsync(application))).Version());
    }

    [Fact]
    public async Task Abort_DuringASlowBuild_EndsAbortedWithinSeconds_AndTheOldVersionKeepsServing()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var (owner, application) = await NewApplicationAsync(repository);
        await owner.DeployOkAsync(application);
        await owner.UpdateApplicationAsync(application, new { build_command = "sleep 30" });
        var deployment = await owner.DeployAsync(application);
        await owner.WaitForStateAsync("application", application, "BUILDING");
        await Poll.UntilAsync(() => owner.DeploymentAsync(deployment), d => BuildStep(d) == "RUNNING", "the build step to run");

        var watch = Stopwatch.StartNew();
        await owner.PostForDeploymentAsync($"/api/environment/{deployment.Text("environment_id")}/deployment/{deployment.Text("id")}/abortDeploy");
        var ended = await Poll.UntilAsync(() => owner.DeploymentAsync(deployment), d => d.State() == "ABORTED", "the deployment to be ABORTED", TimeSpan.FromSeconds(10));
        watch.Stop();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"Aborting took {watch.Elapsed.TotalSeconds:0.0} s.");
        Assert.Equal("ABORTED", BuildStep(ended));
        Assert.Equal("RUNNING", await owner.ApplicationStateAsync(application));
        Assert.Equal("v1", (await RuntimeSteps.GetJsonAsync(await owner.UrlAsync(application))).Version());
    }

    [Fact]
    public async Task Rollback_ToTheFirstDeployment_RestoresItsCommitAndItsVariableValues()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var (owner, application) = await NewApplicationAsync(repository);
        var greeting = await owner.PostForIdAsync($"/api/application/{application}/environmentVariable", new { key = "GREETING", value = "first" });
        var first = await owner.DeployOkAsync(application);
        await repository.CommitAsync(SampleApp.Files("v2"), "Second version");
        await (await owner.PutAsJsonAsync($"/api/environmentVariable/{greeting}", new { value = "second" })).ExpectAsync(HttpStatusCode.OK, "PUT variable");
        await owner.DeployOkAsync(application);
        var url = await owner.UrlAsync(application);
        var second = await RuntimeSteps.GetJsonAsync(url);

        var ended = await owner.EndedAsync(
            await owner.PostForDeploymentAsync($"/api/environment/{first.Text("environment_id")}/deployment/{first.Text("id")}/rollback"));

        Assert.Equal(("v2", "second"), (second.Version(), second["greeting"]!.GetValue<string>()));
        Assert.Equal("OK", ended.State());
        Assert.Equal("ROLLBACK", ended["kind"]!.GetValue<string>());
        var restored = await RuntimeSteps.GetJsonAsync(url);
        Assert.Equal(("v1", "first"), (restored.Version(), restored["greeting"]!.GetValue<string>()));
    }

    [Fact]
    public async Task SecondDeploy_WhileOneIsInProgress_IsQueued_AndRunsAfterIt()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var body = RuntimeSteps.ApplicationBody(repository.Url);
        body["build_command"] = "sleep 3";
        var (owner, application) = await NewApplicationAsync(repository, body);
        var first = await owner.DeployAsync(application);
        await Poll.UntilAsync(() => owner.DeploymentAsync(first), d => d.State() == "DEPLOYMENT_IN_PROGRESS", "the first deployment to start");

        var second = await owner.DeployAsync(application);
        var firstEnded = await owner.EndedAsync(first);
        var secondEnded = await owner.EndedAsync(second);

        Assert.Equal("QUEUED", second.State());
        Assert.Equal(("OK", "OK"), (firstEnded.State(), secondEnded.State()));
        Assert.True(
            At(secondEnded, "started_at") >= At(firstEnded, "finished_at"),
            $"The second started at {At(secondEnded, "started_at"):O}, before the first finished at {At(firstEnded, "finished_at"):O}.");
    }

    private async Task<(HttpClient Owner, Guid Application)> NewApplicationAsync(TestGitRepository repository, JsonObject? body = null)
    {
        var team = await RuntimeTeam.OfAsync(portal);
        var environment = await team.CreateEnvironmentAsync();
        return (team.Owner, await team.Owner.CreateApplicationAsync(environment, body ?? RuntimeSteps.ApplicationBody(repository.Url)));
    }

    /// <summary>Calls the application in a loop, one call after the other, until stopped; answers every outcome in order.</summary>
    private static async Task<List<(int Status, string Body)>> CallContinuouslyAsync(Uri url, CancellationToken stop)
    {
        var answers = new List<(int, string)>();
        while (!stop.IsCancellationRequested)
        {
            answers.Add(await RuntimeSteps.CallAsync(url));
        }

        return answers;
    }

    private static string? BuildStep(JsonObject deployment) =>
        deployment["services"]![0]!["steps"]!.AsArray().FirstOrDefault(s => s!["name"]!.GetValue<string>() == "Build")?["state"]?.GetValue<string>();

    private static DateTimeOffset At(JsonObject deployment, string field) => deployment[field]!.GetValue<DateTimeOffset>();
}
