using Platform.Domain.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Deployments;

/// <summary>The portal stops and a new one starts on the same database and data folder, as after a host restart.</summary>
public sealed class PortalRestartTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"platform-test-data-{Guid.NewGuid():N}");
    private string _connectionString = null!;

    public async Task InitializeAsync() => _connectionString = await TestPostgres.CreateDatabaseAsync();

    public Task DisposeAsync()
    {
        TestPostgres.DeleteQuietly(_dataDirectory);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task PortalRestart_DuringADeployment_EndsItFailed_AndTheRunningApplicationAnswersAgain()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        System.Text.Json.Nodes.JsonObject interrupted;
        Guid application;
        System.Net.Http.Headers.AuthenticationHeaderValue credentials;
        await using (var first = PortalFactory.On(_connectionString, _dataDirectory))
        {
            await first.InitializeAsync();
            var team = await RuntimeTeam.OfAsync(first);
            var environment = await team.CreateEnvironmentAsync();
            application = await team.Owner.CreateApplicationAsync(environment, RuntimeSteps.ApplicationBody(repository.Url));
            await team.Owner.DeployOkAsync(application);
            await team.Owner.UpdateApplicationAsync(application, new { build_command = "sleep 30" });
            interrupted = await team.Owner.DeployAsync(application);
            await team.Owner.WaitForStateAsync("application", application, "BUILDING");
            credentials = team.Owner.DefaultRequestHeaders.Authorization!;
        }

        await using var second = PortalFactory.On(_connectionString, _dataDirectory);
        await second.InitializeAsync();
        using var owner = second.CreateAnonymousClient();
        owner.DefaultRequestHeaders.Authorization = credentials;
        var ended = await owner.EndedAsync(interrupted);
        await owner.WaitForStateAsync("application", application, "RUNNING");

        Assert.Equal("FAILED", ended.State());
        Assert.Equal(DeploymentEngine.InterruptedMessage, ended["status"]!["message"]!.GetValue<string>());
        var url = await owner.UrlAsync(application);
        Assert.Equal(second.ServerAddress.Port, url.Port);
        Assert.Equal("v1", (await RuntimeSteps.GetJsonAsync(url)).Version());
        // The restore is a deployment like any other, owned by the platform, with its steps; the kept build spares the fetch.
        var restore = (await owner.GetResultsAsync($"/api/environment/{interrupted.Text("environment_id")}/deployment")).First(d => d.Text("kind") == "RESTORE")!;
        Assert.Equal("OK", restore.State());
        Assert.Null(restore["owner"]);
        Assert.Equal(["SKIPPED", "SKIPPED", "DONE", "DONE"], restore["services"]![0]!["steps"]!.AsArray().Select(s => s!.Text("state")));
    }
}
