using System.Net;
using System.Text.Json.Nodes;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Access;
using Platform.Domain.Applications;
using Platform.Domain.Deployments;
using Platform.Domain.Services;
using Platform.Portal.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Deployments;

/// <summary>
/// An application's status in two parts (what serves, how the last deployment ended), the WARNING of a failed deploy
/// while the previous release serves, and the one rule of what can be rolled back to; on the fake runtime.
/// </summary>
public sealed class ServiceSummaryTests(FakeRuntimePortal fake) : IClassFixture<FakeRuntimePortal>
{
    [Fact]
    public async Task FailedBuild_WhileTheGoodReleaseServes_IsRunningAtTheGoodCommit_WithTheFailureLast_AndOnlyWarnings()
    {
        var (team, environment, application, good, failed) = await GoodThenFailedBuildAsync();

        var summary = (await ViewAsync(team, application)).Summary;
        var status = (await team.Owner.GetObjectAsync($"/api/application/{application}/status"))["status"]!;
        var environmentStatus = (await team.Owner.GetObjectAsync($"/api/environment/{environment}/status"))["status"]!;

        Assert.Equal("FAILED", failed.State());
        Assert.Equal((Serving.Running, good["commit"]!.Text("long_id")), (summary.Serving.State, summary.Serving.Commit?.LongId));
        Assert.Equal(ServiceDeploymentId(good, application), summary.Serving.DeploymentId);
        Assert.Equal((ServiceDeploymentId(failed, application), "FAILED", "BUILD_ERROR"), (summary.LastDeployment!.Id, summary.LastDeployment.State, summary.LastDeployment.Failure));
        Assert.Equal(("BUILD_ERROR", "WARNING"), (status.Text("state"), status.Text("simple_state")));
        Assert.Equal("WARNING", environmentStatus.Text("simple_state"));
    }

    [Fact]
    public async Task Stop_AfterADeploy_IsStopped_NotNeverDeployed()
    {
        var (team, _, application) = await NewApplicationAsync();
        await team.Owner.DeployOkAsync(application);

        var stopped = await team.Owner.EndedAsync(await team.Owner.PostForDeploymentAsync($"/api/application/{application}/stop"));
        var summary = (await ViewAsync(team, application)).Summary;

        Assert.Equal("OK", stopped.State());
        Assert.Equal(Serving.Stopped, summary.Serving.State);
        Assert.Null(summary.Serving.Commit);
        Assert.Equal((ServiceAction.Stop, "OK"), (summary.LastDeployment!.Action, summary.LastDeployment.State));
    }

    [Fact]
    public async Task BeforeAnyDeployment_ItIsNeverDeployed_AndAfterAFailedFirstDeployNotRunning()
    {
        var (team, _, application) = await NewApplicationAsync(buildCommand: "exit 3");
        var before = (await ViewAsync(team, application)).Summary;

        await team.Owner.EndedAsync(await team.Owner.DeployAsync(application));
        var after = (await ViewAsync(team, application)).Summary;
        var status = (await team.Owner.GetObjectAsync($"/api/application/{application}/status"))["status"]!;

        Assert.Equal(Serving.NeverDeployed, before.Serving.State);
        Assert.Null(before.LastDeployment);
        Assert.Equal((Serving.NotRunning, "FAILED"), (after.Serving.State, after.LastDeployment?.State));
        Assert.Equal(("BUILD_ERROR", "ERROR"), (status.Text("state"), status.Text("simple_state")));
    }

    [Fact]
    public async Task CanRollBack_OnlyToTheDeployThatSucceeded_NotToAFailedDeployOrAStop_AndTheApiRefusesTheStop()
    {
        var (team, environment, application, good, failed) = await GoodThenFailedBuildAsync();
        var stop = await team.Owner.EndedAsync(await team.Owner.PostForDeploymentAsync($"/api/application/{application}/stop"));

        var offers = (await ServiceHistoryAsync(team, application)).ToDictionary(d => d.EnvironmentDeploymentId, d => d.CanRollBack);
        var refused = await team.Owner.PostAsync($"/api/environment/{environment}/deployment/{stop.Text("id")}/rollback", null);

        Assert.Equal([true, false, false], new[] { good, failed, stop }.Select(d => d["can_roll_back"]!.GetValue<bool>()));
        Assert.Equal([true, false, false], new[] { good, failed, stop }.Select(d => offers[d.Id()]));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
    }

    [Fact]
    public async Task DeploymentHistory_OffersRollBackOnlyOnTheDeployThatSucceeded_AndLinksEachCardToItsLogsAndEvents()
    {
        var (team, environment, application) = await NewApplicationAsync();
        var good = await team.Owner.DeployOkAsync(application);
        var stop = await team.Owner.EndedAsync(await team.Owner.PostForDeploymentAsync($"/api/application/{application}/stop"));
        await using var context = fake.Portal.CreateComponentContext("owner@example.com", await team.Owner.GetUserIdAsync()).WithHostService<DeploymentService>();

        var history = context.Render<DeploymentHistory>(p => p.Add(c => c.EnvironmentId, environment).Add(c => c.ApplicationId, application).Add(c => c.CanChange, true));

        history.WaitForAssertion(() => Assert.True(history.FindAll("[data-testid=deployment]").Count == 2, history.Markup), TimeSpan.FromSeconds(10));
        var cards = history.FindAll("[data-testid=deployment]");
        Assert.Equal("Stop", cards[0].QuerySelector(".mud-typography-subtitle1")!.TextContent.Trim());
        Assert.DoesNotContain("Roll back to this", cards[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("Roll back to this", cards[1].TextContent, StringComparison.Ordinal);
        Assert.Equal($"/application/{application}?tab=logs&deployment={ServiceDeploymentId(good, application)}",
            cards[1].QuerySelector("[data-testid=deployment-logs]")!.GetAttribute("href"));
        Assert.Equal($"/application/{application}?tab=events&deployment={ServiceDeploymentId(stop, application)}",
            cards[0].QuerySelector("[data-testid=deployment-events]")!.GetAttribute("href"));
    }

    private async Task<(RuntimeTeam Team, Guid Environment, Guid Application)> NewApplicationAsync(string? buildCommand = null)
    {
        var team = await RuntimeTeam.OfAsync(fake.Portal);
        var environment = await team.CreateEnvironmentAsync();
        var repository = fake.State.Repository($"https://git.example.com/shop/{CatalogueSteps.Unique()}.git");
        repository.Commit("v1", "First version");
        var body = RuntimeSteps.ApplicationBody(repository.Url, $"web-{CatalogueSteps.Unique()}");
        body["build_command"] = buildCommand;
        return (team, environment, await team.Owner.CreateApplicationAsync(environment, body));
    }

    /// <summary>An application deployed OK, then deployed again with a build that exits 3.</summary>
    private async Task<(RuntimeTeam Team, Guid Environment, Guid Application, JsonObject Good, JsonObject Failed)> GoodThenFailedBuildAsync()
    {
        var (team, environment, application) = await NewApplicationAsync();
        var good = await team.Owner.DeployOkAsync(application);
        await team.Owner.UpdateApplicationAsync(application, new { build_command = "exit 3" });
        var failed = await team.Owner.EndedAsync(await team.Owner.DeployAsync(application));
        return (team, environment, application, good, failed);
    }

    private async Task<ApplicationView> ViewAsync(RuntimeTeam team, Guid application)
    {
        await using var scope = fake.Portal.Services.CreateAsyncScope();
        var view = await scope.ServiceProvider.GetRequiredService<ApplicationService>().GetAsync(new Caller(await team.Owner.GetUserIdAsync()), application);
        return view.Value!;
    }

    private async Task<IReadOnlyList<ServiceDeploymentView>> ServiceHistoryAsync(RuntimeTeam team, Guid application)
    {
        await using var scope = fake.Portal.Services.CreateAsyncScope();
        var page = await scope.ServiceProvider.GetRequiredService<DeploymentService>()
            .ListForApplicationAsync(new Caller(await team.Owner.GetUserIdAsync()), application, new Platform.Domain.Common.HistoryQuery(10, 1, null));
        return page.Value!.Results;
    }

    private static Guid ServiceDeploymentId(JsonObject deployment, Guid serviceId) =>
        deployment["services"]!.AsArray().Single(s => s!["service"]!.Text("id") == serviceId.ToString())!.AsObject().Id();
}
