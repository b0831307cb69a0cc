using Platform.Tests.Support;

namespace Platform.Tests.Deployments;

/// <summary>
/// A redeploy is done once traffic has moved to the new release: the previous one drains (Runtime:DrainSeconds)
/// apart from the deployment, and stops with the application all the same. A portal of its own, with a drain
/// longer than any deployment's wait.
/// </summary>
public sealed class ReleaseDrainTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"platform-test-data-{Guid.NewGuid():N}");
    private PortalFactory _portal = null!;

    public async Task InitializeAsync()
    {
        _portal = PortalFactory.On(await TestPostgres.CreateDatabaseAsync(), _dataDirectory, new Dictionary<string, string?> { ["Runtime:DrainSeconds"] = "600" });
        await _portal.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)_portal).DisposeAsync();
        TestPostgres.DeleteQuietly(_dataDirectory);
    }

    [Fact]
    public async Task Redeploy_EndsOnceTrafficHasMoved_AndTheDrainingPreviousReleaseStopsWithTheApplication()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var team = await RuntimeTeam.OfAsync(_portal);
        var application = await team.Owner.CreateApplicationAsync(await team.CreateEnvironmentAsync(), RuntimeSteps.ApplicationBody(repository.Url));
        await team.Owner.DeployOkAsync(application);
        var previous = _portal.InstanceProcessIds(application).Single();
        await repository.CommitAsync(SampleApp.Files("v2"), "Second version");

        // Had the deployment waited for the 600 s drain, this would give up after its 60 s.
        await team.Owner.DeployOkAsync(application);

        Assert.Equal("v2", (await RuntimeSteps.GetJsonAsync(await team.Owner.UrlAsync(application))).Version());
        Assert.True(IsRunning(previous), "the previous release drains, it is not stopped yet");
        (await team.Owner.PostAsync($"/api/application/{application}/stop", null)).EnsureSuccessStatusCode();
        await team.Owner.WaitForStateAsync("application", application, "STOPPED");
        Assert.False(IsRunning(previous), "stopping the application stops its draining release too");
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
