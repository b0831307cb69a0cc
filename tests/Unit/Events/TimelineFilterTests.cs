using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Access;
using Platform.Domain.Common;
using Platform.Domain.Events;
using Platform.Domain.Services;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Events;

/// <summary>Timelines narrowed to one deployment (by the environment deployment's id or a service deployment's) and to one simple state.</summary>
public sealed class TimelineFilterTests(FakeRuntimePortal fake) : IClassFixture<FakeRuntimePortal>
{
    [Fact]
    public async Task DeploymentFilter_AnswersOnlyThatDeploymentsEvents_ByEitherOfItsIds()
    {
        var (team, application) = await CreateApplicationAsync();
        var first = await team.Owner.DeployOkAsync(application);
        var second = await team.Owner.DeployOkAsync(application);
        var firstService = Guid.Parse(first["services"]!.AsArray().Single()!["id"]!.GetValue<string>());

        var byEnvironmentDeployment = await ListAsync(team, application, new TimelineFilter(first.Id(), null));
        var byServiceDeployment = await ListAsync(team, application, new TimelineFilter(firstService, null));
        var all = await ListAsync(team, application, TimelineFilter.None);

        Assert.NotEmpty(byEnvironmentDeployment);
        Assert.All(byEnvironmentDeployment, e => Assert.Equal(first.Id(), e.DeploymentId));
        Assert.Equal(byEnvironmentDeployment.Select(e => e.Id), byServiceDeployment.Select(e => e.Id));
        Assert.Contains(all, e => e.DeploymentId == second.Id());
        Assert.Contains(all, e => e.Status.State == "CREATED" && e.DeploymentId is null);
    }

    [Fact]
    public async Task StatusFilter_AnswersOnlyEventsOfThatSimpleState()
    {
        var (team, application) = await CreateApplicationAsync();
        await team.Owner.DeployOkAsync(application);

        var warnings = await ListAsync(team, application, new TimelineFilter(null, SimpleState.Warning));

        Assert.NotEmpty(warnings);
        Assert.All(warnings, e => Assert.Equal(SimpleState.Warning, e.Status.SimpleState));
    }

    [Fact]
    public void Parse_AnUnknownStatus_NamesTheField()
    {
        var parsed = TimelineFilter.Parse(null, "green");

        Assert.Equal(["status"], parsed.Error!.Errors!.Keys);
    }

    private async Task<(RuntimeTeam Team, Guid Application)> CreateApplicationAsync()
    {
        var team = await RuntimeTeam.OfAsync(fake.Portal);
        var repository = fake.State.Repository($"https://git.example.com/shop/{CatalogueSteps.Unique()}.git");
        repository.Commit("v1", "First version");
        var application = await team.Owner.CreateApplicationAsync(await team.CreateEnvironmentAsync(), RuntimeSteps.ApplicationBody(repository.Url, $"web-{CatalogueSteps.Unique()}"));
        return (team, application);
    }

    private async Task<IReadOnlyList<EventView>> ListAsync(RuntimeTeam team, Guid application, TimelineFilter filter)
    {
        await using var scope = fake.Portal.Services.CreateAsyncScope();
        var events = scope.ServiceProvider.GetRequiredService<EventService>();
        var page = await events.ListForApplicationAsync(new Caller(await team.Owner.GetUserIdAsync()), application, new HistoryQuery(100, 1, null), filter);
        return page.Value.Results;
    }
}
