using Platform.Tests.Support;

namespace Platform.Tests.Deployments;

/// <summary>Between min and max, the local runtime adds an instance while CPU runs over the request and removes it once quiet.</summary>
public sealed class AutoscalingTests : IAsyncLifetime
{
    // Every 2 s instead of every 10 s, so that three quiet periods pass within seconds.
    private readonly PortalFactory _portal = PortalFactory.With(new Dictionary<string, string?> { ["Runtime:ScalingPeriodSeconds"] = "2" });

    public Task InitializeAsync() => _portal.InitializeAsync();

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task BusyInstance_OverEightyPercentOfItsCpu_GetsASecondInstance_WhichGoesOnceItIsQuiet()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var team = await RuntimeTeam.OfAsync(_portal);
        var environment = await team.CreateEnvironmentAsync();
        var body = RuntimeSteps.ApplicationBody(repository.Url);
        body["cpu"] = 0.25;
        body["max_running_instances"] = 2;
        var application = await team.Owner.CreateApplicationAsync(environment, body);
        await team.Owner.DeployOkAsync(application);
        var url = await team.Owner.UrlAsync(application);

        await RuntimeSteps.GetJsonAsync(url, "burn?seconds=120");
        await team.Owner.WaitForEventAsync(application, "SCALED_UP");
        // Round robin over the ready instances: both answer once the new one passed its readiness probe.
        var boots = new HashSet<string>();
        await Poll.UntilAsync(async () => boots.Add((await RuntimeSteps.GetJsonAsync(url))["boot"]!.GetValue<string>()), _ => boots.Count == 2, "both instances to answer");

        // Busy until both answered, however slowly the second one started; then calm, told to each in turn.
        for (var call = 0; call < 4; call++)
        {
            await RuntimeSteps.GetJsonAsync(url, "calm");
        }

        var states = await team.Owner.WaitForEventAsync(application, "SCALED_DOWN");

        Assert.Equal(2, boots.Count);
        Assert.Equal(1, states.Count(s => s == "SCALED_UP"));
    }
}
