using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Variables;
using Platform.Tests.Support;

namespace Platform.Tests.Deployments;

/// <summary>A portal started with a marker in its own environment, to show that applications never see it.</summary>
public sealed class MarkedPortal : IAsyncLifetime
{
    public const string Marker = "PORTAL_SECRET_MARKER";

    public PortalFactory Portal { get; } = new();

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(Marker, "the portal's own value");
        await Portal.InitializeAsync();
    }

    public Task DisposeAsync() => ((IAsyncLifetime)Portal).DisposeAsync();
}

/// <summary>What an instance can reach and see: its database, only its own variables, and never root's rights.</summary>
public sealed class InstanceIsolationTests(MarkedPortal marked) : IClassFixture<MarkedPortal>
{
    /// <summary>The variables every instance gets besides its own.</summary>
    private static readonly string[] Fixed = ["HOME", "LANG", "PATH", "PORT"];

    private PortalFactory Portal => marked.Portal;

    [Fact]
    public async Task Database_IsReachableFromAnApplication_ThroughItsBuiltInUrl()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var team = await RuntimeTeam.OfAsync(Portal);
        var environment = await team.CreateEnvironmentAsync();
        var database = await team.Owner.PostForIdAsync($"/api/environment/{environment}/database", new { name = "main" });
        var application = await team.Owner.CreateApplicationAsync(environment, RuntimeSteps.ApplicationBody(repository.Url));
        var databaseDeployment = await team.Owner.EndedAsync(await team.Owner.PostForDeploymentAsync($"/api/database/{database}/deploy"));
        await team.Owner.DeployOkAsync(application);

        var answer = await RuntimeSteps.CallAsync(await team.Owner.UrlAsync(application), "db");

        Assert.Equal("OK", databaseDeployment.State());
        Assert.Equal("RUNNING", await team.Owner.ServiceStateAsync("database", database));
        Assert.True(answer.Status == 200, $"/db answered {answer.Status}: {answer.Body}");
        Assert.Equal("42", JsonNode.Parse(answer.Body)!["out"]!.GetValue<string>());
    }

    [Fact]
    public async Task Instance_SeesOnlyItsOwnVariables_NotThePortalsEnvironment()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var (owner, application) = await DeployedApplicationAsync(repository, ("GREETING", "hello"));
        await using var scope = Portal.Services.CreateAsyncScope();
        var own = (await scope.ServiceProvider.GetRequiredService<VariableService>().ResolveForRuntimeAsync(application)).Values.Keys;

        var seen = (await RuntimeSteps.GetJsonAsync(await owner.UrlAsync(application), "env")).AsArray().Select(n => n!.GetValue<string>()).ToList();

        Assert.Equal("the portal's own value", Environment.GetEnvironmentVariable(MarkedPortal.Marker));
        Assert.DoesNotContain(MarkedPortal.Marker, seen);
        Assert.Contains("GREETING", seen);
        // PWD is not given by the portal: /bin/sh, which runs the start command, sets it.
        Assert.Equal(own.Union(Fixed).Order(StringComparer.Ordinal), seen.Where(k => k != "PWD").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Instance_NeverRunsAsRoot_EvenWhenThePortalDoes()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var (owner, application) = await DeployedApplicationAsync(repository);

        var uid = (await RuntimeSteps.GetJsonAsync(await owner.UrlAsync(application), "uid"))["uid"]!.GetValue<int>();

        Assert.NotEqual(0, uid);
    }

    [Fact]
    public async Task SecretPrintedByAnInstance_IsMaskedInItsLogs()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var team = await RuntimeTeam.OfAsync(Portal);
        var environment = await team.CreateEnvironmentAsync();
        var application = await team.Owner.CreateApplicationAsync(environment, RuntimeSteps.ApplicationBody(repository.Url));
        await team.Owner.PostForIdAsync($"/api/application/{application}/secret", new { key = "GREETING", value = "s3cret-greeting-value" });
        await team.Owner.DeployOkAsync(application);

        var line = await Poll.UntilAsync(
            async () => (await team.Owner.GetFromJsonAsync<JsonObject>($"/api/application/{application}/log?tail=100"))!["results"]!.AsArray()
                .Select(l => l!["message"]!.GetValue<string>()).FirstOrDefault(m => m.StartsWith("starting version", StringComparison.Ordinal)),
            message => message is not null, "the instance's first line");

        Assert.Equal("starting version v1 with greeting ********", line);
    }

    [Fact]
    public async Task Applications_RunAsUsersOfTheirOwn_AndCannotReadEachOthersEnvironmentOrSources()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return; // Only a portal running as root switches users.
        }

        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var (owner, first) = await DeployedApplicationAsync(repository, ("SECRET_OF_FIRST", "first-app-secret"));
        var (_, second) = await DeployedApplicationAsync(repository);
        var firstUrl = await owner.UrlAsync(first);
        var secondUrl = await owner.UrlAsync(second);

        var firstUid = (await RuntimeSteps.GetJsonAsync(firstUrl, "uid"))["uid"]!.GetValue<int>();
        var secondUid = (await RuntimeSteps.GetJsonAsync(secondUrl, "uid"))["uid"]!.GetValue<int>();
        // The first instance's process as the host numbers it: the second one's PID namespace does not show it at all.
        var firstPid = Portal.InstanceProcessIds(first).Single();
        var environ = await RuntimeSteps.GetJsonAsync(secondUrl, $"read?/proc/{firstPid}/environ");
        var sources = await RuntimeSteps.GetJsonAsync(secondUrl, $"read?{Path.Combine(Portal.DataDirectory, "runtime", "apps", first.ToString("N"), "git.git", "HEAD")}");

        Assert.NotEqual(firstUid, secondUid);
        Assert.False(environ["readable"]!.GetValue<bool>());
        Assert.False(sources["readable"]!.GetValue<bool>());
    }

    private async Task<(HttpClient Owner, Guid Application)> DeployedApplicationAsync(TestGitRepository repository, params (string Key, string Value)[] variables)
    {
        var team = await RuntimeTeam.OfAsync(Portal);
        var environment = await team.CreateEnvironmentAsync();
        var application = await team.Owner.CreateApplicationAsync(environment, RuntimeSteps.ApplicationBody(repository.Url));
        foreach (var (key, value) in variables)
        {
            await team.Owner.PostForIdAsync($"/api/application/{application}/environmentVariable", new { key, value });
        }

        await team.Owner.DeployOkAsync(application);
        return (team.Owner, application);
    }
}
