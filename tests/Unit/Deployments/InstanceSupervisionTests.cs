using System.Diagnostics;
using Platform.Tests.Support;

namespace Platform.Tests.Deployments;

/// <summary>Running instances are supervised: one that dies or passes its memory request is started again, with an event saying why.</summary>
public sealed class InstanceSupervisionTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task KilledInstance_IsRestarted_WithAnInstanceExitedEvent()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var (owner, application) = await DeployedApplicationAsync(repository);
        var url = await owner.UrlAsync(application);
        var boot = (await RuntimeSteps.GetJsonAsync(url))["boot"]!.GetValue<string>();

        using (var process = Process.GetProcessById(portal.InstanceProcessIds(application).Single()))
        {
            process.Kill(entireProcessTree: true);
        }

        await owner.WaitForEventAsync(application, "INSTANCE_EXITED");
        var answer = await RuntimeSteps.WaitForAnswerAsync(url, "", a => a["boot"]!.GetValue<string>() != boot, "a new process to answer");
        Assert.Equal("v1", answer.Version());
    }

    [Fact]
    public async Task InstanceOverItsMemoryRequest_IsOomKilled_AndComesBack()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var (owner, application) = await DeployedApplicationAsync(repository);
        var url = await owner.UrlAsync(application);
        var boot = (await RuntimeSteps.GetJsonAsync(url))["boot"]!.GetValue<string>();

        await RuntimeSteps.CallAsync(url, "grow"); // It may answer, or be killed first.

        await owner.WaitForEventAsync(application, "OOM_KILLED");
        var answer = await RuntimeSteps.WaitForAnswerAsync(url, "", a => a["boot"]!.GetValue<string>() != boot, "a new process to answer");
        Assert.Equal("v1", answer.Version());
    }

    [Fact]
    public async Task InstanceFailingItsLivenessProbe_IsRestarted_WithALivenessFailedEvent()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var body = RuntimeSteps.ApplicationBody(repository.Url);
        body["healthchecks"]!["liveness_probe"] = new System.Text.Json.Nodes.JsonObject
        {
            ["type"] = "HTTP", ["path"] = "/no-such-page", ["initial_delay_seconds"] = 0, ["period_seconds"] = 1, ["timeout_seconds"] = 2, ["failure_threshold"] = 2,
        };
        var (owner, application) = await DeployedApplicationAsync(repository, body);

        var states = await owner.WaitForEventAsync(application, "LIVENESS_FAILED");

        Assert.Contains("RUNNING", states);
    }

    private async Task<(HttpClient Owner, Guid Application)> DeployedApplicationAsync(TestGitRepository repository, System.Text.Json.Nodes.JsonObject? body = null)
    {
        var team = await RuntimeTeam.OfAsync(portal);
        var environment = await team.CreateEnvironmentAsync();
        var application = await team.Owner.CreateApplicationAsync(environment, body ?? RuntimeSteps.ApplicationBody(repository.Url));
        await team.Owner.DeployOkAsync(application);
        return (team.Owner, application);
    }
}
