using System.Net;
using System.Text.Json.Nodes;
using Platform.Tests.Support;

namespace Platform.Tests.Deployments;

/// <summary>
/// What happens to an environment while one of its deployments is under way: changes that would race the engine
/// wait for it, an abort says what it kept, and a restart queued behind a stop does not deploy.
/// </summary>
public sealed class EnvironmentDeploymentTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Archive_DuringABuild_AnswersConflict_AndWorksOnceTheDeploymentEnded()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var team = await RuntimeTeam.OfAsync(portal);
        var environment = await team.CreateEnvironmentAsync();
        var owner = team.Owner;
        var body = RuntimeSteps.ApplicationBody(repository.Url);
        body["build_command"] = "sleep 4";
        var application = await owner.CreateApplicationAsync(environment, body);
        var deployment = await owner.DeployAsync(application);
        await owner.WaitForStateAsync("application", application, "BUILDING");

        var refused = await (await owner.PostAsync($"/api/environment/{environment}/archive", null))
            .AssertProblemAsync(HttpStatusCode.Conflict, "POST archive during the build");
        var ended = await owner.EndedAsync(deployment);
        var url = await owner.UrlAsync(application);
        var served = await RuntimeSteps.GetJsonAsync(url);
        await (await owner.PostAsync($"/api/environment/{environment}/archive", null)).ExpectAsync(HttpStatusCode.OK, "POST archive after the deployment");

        Assert.Contains("deployment queued or in progress", refused.Text("detail"), StringComparison.Ordinal);
        Assert.Equal("OK", ended.State());
        Assert.Equal("v1", served.Version());
        Assert.True((await owner.GetObjectAsync($"/api/environment/{environment}"))["archived"]!.GetValue<bool>());
        Assert.Equal("STOPPED", await owner.ApplicationStateAsync(application));
        Assert.NotEqual(200, (await RuntimeSteps.CallAsync(url)).Status);
    }

    [Fact]
    public async Task Abort_AfterTheFirstServiceSwitched_NamesIt_AndItKeepsItsNewVersion()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var team = await RuntimeTeam.OfAsync(portal);
        var environment = await team.CreateEnvironmentAsync();
        var owner = team.Owner;
        var api = await owner.CreateApplicationAsync(environment, RuntimeSteps.ApplicationBody(repository.Url, "api"));
        var slow = RuntimeSteps.ApplicationBody(repository.Url, "worker");
        slow["build_command"] = "sleep 30";
        var worker = await owner.CreateApplicationAsync(environment, slow);
        await owner.DeployOkAsync(api);
        var url = await owner.UrlAsync(api);
        await repository.CommitAsync(SampleApp.Files("v2"), "Second version");

        // Services run in name order: api (v2, quick), then worker (a 30 s build).
        var deployment = await owner.PostForDeploymentAsync($"/api/environment/{environment}/deploy");
        await Poll.UntilAsync(() => owner.DeploymentAsync(deployment), d => Step(d, 1, "Build") == "RUNNING", "worker's build to run");
        await owner.PostForDeploymentAsync($"/api/environment/{environment}/deployment/{deployment.Text("id")}/abortDeploy");
        var ended = await Poll.UntilAsync(() => owner.DeploymentAsync(deployment), d => d.State() == "ABORTED", "the deployment to be ABORTED", TimeSpan.FromSeconds(10));

        Assert.Equal("Aborted after api switched to its new version; the other services keep what ran before.", ended["status"]!["message"]!.GetValue<string>());
        Assert.Equal(["OK", "ABORTED"], ended["services"]!.AsArray().Select(s => s!.State()));
        Assert.Equal("v2", (await RuntimeSteps.GetJsonAsync(url)).Version());
        Assert.Equal("RUNNING", await owner.ApplicationStateAsync(api));
        Assert.Equal("STOPPED", await owner.ApplicationStateAsync(worker));
    }

    [Fact]
    public async Task EnvironmentDeployment_RunsDatabasesFirst_ThenApplications_EachInNameOrder()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var team = await RuntimeTeam.OfAsync(portal);
        var environment = await team.CreateEnvironmentAsync();
        var owner = team.Owner;
        string[] applications = ["web-e", "web-d", "web-c", "web-b", "web-a"];
        foreach (var name in applications)
        {
            await owner.CreateApplicationAsync(environment, RuntimeSteps.ApplicationBody(repository.Url, name));
        }

        await owner.PostForIdAsync($"/api/environment/{environment}/database", new { name = "store" });

        // Rows of one save made within a millisecond get ids, and so insert sequences, in random order: only the position keeps this one.
        var queued = await owner.PostForDeploymentAsync($"/api/environment/{environment}/deploy");
        var ended = await owner.EndedAsync(queued);

        string[] expected = ["store", .. applications.Order(StringComparer.Ordinal)];
        Assert.Equal(expected, queued["services"]!.AsArray().Select(s => s!["service"]!["name"]!.GetValue<string>()));
        Assert.Equal(expected, ended["services"]!.AsArray().OrderBy(s => s!["started_at"]!.GetValue<DateTime>()).Select(s => s!["service"]!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Restart_QueuedBehindAStop_Fails_AndTheApplicationStaysStopped()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var team = await RuntimeTeam.OfAsync(portal);
        var environment = await team.CreateEnvironmentAsync();
        var owner = team.Owner;
        var application = await owner.CreateApplicationAsync(environment, RuntimeSteps.ApplicationBody(repository.Url));
        await owner.DeployOkAsync(application);
        await owner.UpdateApplicationAsync(application, new { build_command = "sleep 3" });
        var deploy = await owner.DeployAsync(application);
        await Poll.UntilAsync(() => owner.DeploymentAsync(deploy), d => d.State() == "DEPLOYMENT_IN_PROGRESS", "the deployment to start");

        var stop = await owner.PostForDeploymentAsync($"/api/application/{application}/stop");
        var restart = await owner.PostForDeploymentAsync($"/api/application/{application}/restart");
        var ended = await owner.EndedAsync(restart);

        Assert.Equal(("OK", "OK"), ((await owner.EndedAsync(deploy)).State(), (await owner.EndedAsync(stop)).State()));
        Assert.Equal("FAILED", ended.State());
        Assert.Equal("web is not running any more: deploy it instead of restarting it.", ended["services"]![0]!["status"]!["message"]!.GetValue<string>());
        Assert.Equal("STOPPED", await owner.ApplicationStateAsync(application));
    }

    /// <summary>The state of a step of the deployment's n-th service.</summary>
    private static string? Step(JsonObject deployment, int service, string name) =>
        deployment["services"]![service]!["steps"]!.AsArray().FirstOrDefault(s => s!["name"]!.GetValue<string>() == name)?["state"]?.GetValue<string>();
}
