using System.Net;
using Platform.Tests.Support;

namespace Platform.Tests.Deployments;

/// <summary>
/// What happens to an environment while one of its deployments is under way: changes that would race the engine
/// wait for it.
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
}
