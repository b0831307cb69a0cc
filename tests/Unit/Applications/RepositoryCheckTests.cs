using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Applications;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Applications;

/// <summary>
/// The repository check with the real local runtime (git ls-remote in the application's sandbox), on applications
/// deployed from real git repositories: a pushed commit flags UPDATE_AVAILABLE, auto-deploy deploys it as its own
/// owner, an unreachable repository flags GIT_CONNECTION_ERROR with the reason until it is back.
/// </summary>
public sealed class RepositoryCheckTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task PushedCommit_AfterADeploy_FlagsUpdateAvailable_OnTheEnvironmentsApplications()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var (owner, environment, application) = await DeployedAsync(repository);
        var upToDate = await CheckAsync(application);
        var before = await ListedAsync(owner, environment, application);

        var second = await repository.CommitAsync(SampleApp.Files("v2"), "Second version");
        var found = await CheckAsync(application);
        var after = await ListedAsync(owner, environment, application);
        var single = await owner.GetObjectAsync($"/api/application/{application}");

        Assert.Equal(repository.Commits[0], upToDate.LatestCommitId);
        Assert.Null(upToDate.Error);
        Assert.Empty(Flags(before));
        Assert.Equal(second, found.LatestCommitId);
        Assert.Equal(new[] { "UPDATE_AVAILABLE" }, Flags(after));
        Assert.Equal(new[] { "UPDATE_AVAILABLE" }, Flags(single));
        var detail = after["flag_details"]![0]!;
        Assert.Equal(second, detail.Text("commit_id"));
        Assert.Contains(second[..7], detail.Text("message"), StringComparison.Ordinal);
        Assert.Equal(second, after["repository_check"].Text("latest_commit_id"));
        Assert.Null(after["repository_check"]!["error"]);
        Assert.Contains("UPDATE_AVAILABLE", await owner.EventStatesAsync(application));
        Assert.Null(found.AutoDeploymentId);
    }

    [Fact]
    public async Task AutoDeploy_OfAPushedCommit_DeploysIt_WithTheJobAsOwner_AndOnlyOnce()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var body = RuntimeSteps.ApplicationBody(repository.Url);
        body["auto_deploy"] = true;
        var (owner, environment, application) = await DeployedAsync(repository, body);
        var second = await repository.CommitAsync(SampleApp.Files("v2"), "Second version");

        var found = await CheckAsync(application);
        Assert.NotNull(found.AutoDeploymentId);
        var deployment = await owner.EndedAsync(await owner.GetObjectAsync($"/api/environment/{environment}/deployment/{found.AutoDeploymentId}"));
        var again = await CheckAsync(application);
        var events = await owner.GetResultsAsync($"/api/application/{application}/event?tail=50");

        Assert.Equal("OK", deployment.State());
        Assert.Equal(second, deployment["commit"].Text("long_id"));
        Assert.Equal("Auto-deploy", deployment["owner"].Text("name"));
        Assert.Equal("v2", (await RuntimeSteps.GetJsonAsync(await owner.UrlAsync(application))).Version());
        var queued = events.Single(e => e!.State() == "QUEUED" && e!["owner"].Text("name") == "Auto-deploy");
        Assert.Contains(second, queued!["status"].Text("message"), StringComparison.Ordinal);
        Assert.Null(again.AutoDeploymentId);
        Assert.Empty(Flags(await owner.GetObjectAsync($"/api/application/{application}")));
    }

    [Fact]
    public async Task UnreachableRepository_FlagsGitConnectionError_WithTheReason_UntilItIsBack()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var (owner, environment, application) = await DeployedAsync(repository);
        var away = repository.Url + ".away";

        Directory.Move(repository.Url, away);
        RepositoryCheckOutcome unreachable;
        JsonObject flagged;
        try
        {
            unreachable = await CheckAsync(application);
            flagged = await ListedAsync(owner, environment, application);
        }
        finally
        {
            Directory.Move(away, repository.Url);
        }

        var back = await CheckAsync(application);
        var cleared = await ListedAsync(owner, environment, application);

        Assert.Null(unreachable.LatestCommitId);
        Assert.Contains("could not be reached", unreachable.Error, StringComparison.Ordinal);
        Assert.Equal(new[] { "GIT_CONNECTION_ERROR" }, Flags(flagged));
        Assert.Equal(unreachable.Error, flagged["flag_details"]![0].Text("message"));
        Assert.Equal(unreachable.Error, flagged["repository_check"].Text("error"));
        Assert.Equal(repository.Commits[0], back.LatestCommitId);
        Assert.Null(back.Error);
        Assert.Empty(Flags(cleared));
        var states = await owner.EventStatesAsync(application);
        Assert.Equal(new[] { "GIT_CONNECTION_RESTORED", "GIT_CONNECTION_ERROR" }, states.Where(s => s.StartsWith("GIT_", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task UnreachableRepository_WithAPasswordInItsUrl_NamesItMasked()
    {
        var password = $"pw-{Guid.NewGuid():N}";
        var team = await RuntimeTeam.OfAsync(portal);
        var environment = await team.CreateEnvironmentAsync();
        // Nothing listens on port 9 of the sandbox's own loopback: refused at once, in the sandbox's network namespace.
        var application = await team.Owner.CreateApplicationAsync(environment, RuntimeSteps.ApplicationBody($"http://deployer:{password}@127.0.0.1:9/team/web.git"));

        var found = await CheckAsync(application);
        var listed = await team.Owner.GetStringAsync($"/api/environment/{environment}/application");
        var events = await team.Owner.GetStringAsync($"/api/application/{application}/event?tail=50");

        Assert.NotNull(found.Error);
        Assert.DoesNotContain(password, found.Error, StringComparison.Ordinal);
        Assert.Contains("GIT_CONNECTION_ERROR", listed, StringComparison.Ordinal);
        Assert.DoesNotContain(password, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(password, events, StringComparison.Ordinal);
    }

    private async Task<(HttpClient Owner, Guid Environment, Guid Application)> DeployedAsync(TestGitRepository repository, JsonObject? body = null)
    {
        var team = await RuntimeTeam.OfAsync(portal);
        var environment = await team.CreateEnvironmentAsync();
        var application = await team.Owner.CreateApplicationAsync(environment, body ?? RuntimeSteps.ApplicationBody(repository.Url));
        await team.Owner.DeployOkAsync(application);
        return (team.Owner, environment, application);
    }

    private Task<RepositoryCheckOutcome> CheckAsync(Guid application) => portal.CheckRepositoryAsync(application);

    private static async Task<JsonObject> ListedAsync(HttpClient owner, Guid environment, Guid application) =>
        (await owner.GetResultsAsync($"/api/environment/{environment}/application")).Single(a => a!.AsObject().Id() == application)!.AsObject();

    private static List<string> Flags(JsonObject application) => application["flags"]!.AsArray().Select(f => f!.GetValue<string>()).ToList();
}

public static class RepositoryCheckSteps
{
    /// <summary>Runs the repository check of one application now, as the recurring job would; it must be checked.</summary>
    public static async Task<RepositoryCheckOutcome> CheckRepositoryAsync(this PortalFactory portal, Guid application)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<RepositoryChecks>().CheckAsync(application, CancellationToken.None)
            ?? throw new InvalidOperationException($"Application {application} was not checked.");
    }
}
