using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Applications;
using Platform.Domain.Databases;
using Platform.Domain.Deployments;
using Platform.Domain.Environments;
using Platform.Domain.Events;
using Platform.Domain.Live;
using Platform.Domain.Metrics;
using Platform.Domain.Organizations;
using Platform.Domain.Projects;
using Platform.Portal.Environments;
using Platform.Tests.Support;

namespace Platform.Tests.Environments;

/// <summary>
/// The environment page rendered against a real portal, hearing the host's LiveBus: what it re-reads when something
/// is published, with the page's data changed underneath it in PostgreSQL.
/// </summary>
public sealed class EnvironmentPageTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task AMetricSample_DoesNotReloadThePage_AnEventDoes()
    {
        var (owner, user) = await portal.CreateUserClientAsync();
        var userId = await owner.GetUserIdAsync();
        var organization = await owner.CreateOrganizationAsync($"envpage-{Guid.NewGuid():N}");
        var project = (await owner.CreateProjectAsync(organization, "shop")).Id();
        var environment = (await owner.CreateEnvironmentAsync(project, "staging")).Id();
        await using var context = portal.CreateComponentContext(user.Email, userId)
            .WithHostService<OrganizationService>().WithHostService<ProjectService>().WithHostService<EnvironmentService>()
            .WithHostService<ApplicationService>().WithHostService<DatabaseService>().WithHostService<EventService>()
            .WithHostService<DeploymentService>();
        var page = context.Render<EnvironmentPage>(p => p.Add(v => v.Id, environment));
        await page.WaitForAssertionAsync(() => Assert.Equal("staging", page.Find("h1").TextContent), Wait);
        await portal.ExecuteSqlAsync("UPDATE environment SET name = 'renamed' WHERE id = @id", ("id", environment));
        var bus = portal.Services.GetRequiredService<LiveBus>();

        var ok = new MetricStatus("OK", "OK", null);
        bus.Publish(new MetricsSampled(organization, environment, Guid.NewGuid(), DateTimeOffset.UtcNow, new CurrentScale(1, 1, 1, 100, 80, 90, ok), []));
        // Well past the live updates' coalescing (150 ms) and well before their fallback (10 s).
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal("staging", page.Find("h1").TextContent);

        bus.Publish(new EventsAdded(organization, environment, null, []));
        await page.WaitForAssertionAsync(() => Assert.Equal("renamed", page.Find("h1").TextContent), Wait);
    }
}
