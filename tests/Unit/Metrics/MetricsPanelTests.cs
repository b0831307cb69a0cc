using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Live;
using Platform.Domain.Metrics;
using Platform.Portal.Metrics;
using Platform.Tests.Support;

namespace Platform.Tests.Metrics;

/// <summary>
/// The application page's metrics panel against a real portal: the first read goes through the real MetricsService,
/// and what follows arrives on the host's LiveBus as the sampler publishes it, without the test rendering again.
/// </summary>
public sealed class MetricsPanelTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly MetricStatus Ok = new("OK", "OK", null);

    [Fact]
    public async Task AnApplicationNeverDeployed_SaysItIsNotRunning_ThenShowsTheGaugesOfTheSampleForIt_AndNotOfAnother()
    {
        var team = await PanelTeam.OfAsync(portal);
        var application = await CreateApplicationAsync(team);
        var other = await CreateApplicationAsync(team);
        await using var context = CreateContext(team);

        var view = context.Render<MetricsPanel>(p => p.Add(v => v.ApplicationId, application));

        await view.WaitForAssertionAsync(() => Assert.Contains("Not running: deploy the application to see its metrics", view.Markup, StringComparison.Ordinal), Wait);
        Publish(other, new CurrentScale(1, 2, 2, 100, 80, 90, Ok), "instance 9");
        Publish(application, new CurrentScale(1, 3, 1, 33.3, 80, 90, Ok), "instance 1");

        await view.WaitForAssertionAsync(() =>
        {
            Assert.Equal("1 running of 1..3", view.Find("[data-testid='scale-text']").TextContent.Trim());
            var gauge = Assert.Single(view.FindAll("[data-testid='instance-gauge']"));
            Assert.Contains("instance 1", gauge.TextContent, StringComparison.Ordinal);
            Assert.Contains("0.25 of 0.5 cores (50%)", gauge.TextContent, StringComparison.Ordinal);
        }, Wait);
        Assert.Empty(view.FindAll("[data-testid='metrics-empty']"));
        Assert.DoesNotContain("instance 9", view.Markup, StringComparison.Ordinal);
    }

    /// <summary>
    /// A member removed from the organization while the page is open: the panel took every sample from the bus for as
    /// long as the circuit lived (the hub's subscriptions are checked again every 30 s; the page was never). Access is
    /// asked again with the series, at most every 10 s: the next sample after that shows nothing more.
    /// </summary>
    [Fact]
    public async Task AMemberRemovedWhileThePageIsOpen_GetsNoSampleAfterTheNextCheck()
    {
        var team = await PanelTeam.OfAsync(portal);
        var application = await CreateApplicationAsync(team);
        var viewer = await portal.AddMemberAsync(team.Owner, team.OrganizationId, "VIEWER");
        var time = new ManualTime(DateTimeOffset.UtcNow);
        await using var context = CreateContext(viewer.User.Email, viewer.UserId, time);

        var view = context.Render<MetricsPanel>(p => p.Add(v => v.ApplicationId, application));
        await view.WaitForAssertionAsync(() => Assert.Contains("Not running: deploy the application to see its metrics", view.Markup, StringComparison.Ordinal), Wait);
        Publish(application, new CurrentScale(1, 3, 1, 33.3, 80, 90, Ok), "instance 1");
        await view.WaitForAssertionAsync(() => Assert.Contains("instance 1", view.Markup, StringComparison.Ordinal), Wait);

        (await team.Owner.DeleteAsync($"/api/organization/{team.OrganizationId}/member/{viewer.UserId}")).EnsureSuccessStatusCode();
        time.Advance(TimeSpan.FromSeconds(11));
        Publish(application, new CurrentScale(1, 3, 2, 66.7, 80, 90, Ok), "instance 7");

        await view.WaitForAssertionAsync(() => Assert.NotEmpty(view.FindAll("[data-testid='metrics-error']")), Wait);
        Publish(application, new CurrentScale(1, 3, 3, 100, 80, 90, Ok), "instance 8");
        await Task.Delay(500);
        Assert.DoesNotContain("instance 7", view.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("instance 8", view.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("instance 1", view.Markup, StringComparison.Ordinal);
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        private long _ticks = now.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

    private void Publish(Guid application, CurrentScale scale, string instance) =>
        portal.Services.GetRequiredService<LiveBus>().Publish(new MetricsSampled(Guid.Empty, null, application, DateTimeOffset.UtcNow, scale,
            [new InstanceMetrics(Guid.NewGuid().ToString(), instance, new(0.5, 0.25, 50, 80, 90, Ok), new(256, 100, 39, 80, 90, Ok), null)]));

    private static async Task<Guid> CreateApplicationAsync(PanelTeam team) =>
        await team.Owner.PostForIdAsync($"/api/environment/{team.EnvironmentId}/application",
            new { name = $"web-{CatalogueSteps.Unique()}", git_repository = new { url = "/srv/git/web.git" }, start_command = "npm start", port = 3000 });

    /// <summary>A bUnit context wired to the portal's own services, signed in as the team's owner.</summary>
    private BunitContext CreateContext(PanelTeam team) => CreateContext(team.Email, team.UserId, TimeProvider.System);

    // MetricsService is scoped in the portal: one scope of the host per panel, ended with the context.
    private BunitContext CreateContext(string email, Guid userId, TimeProvider time)
    {
        var context = portal.CreateComponentContext(email, userId).WithHostService<MetricsService>();
        context.Services.AddSingleton(time);
        return context;
    }

    /// <summary>One user, organization, project and environment for the whole class; each test adds its own applications.</summary>
    private sealed record PanelTeam(HttpClient Owner, string Email, Guid UserId, Guid OrganizationId, Guid EnvironmentId)
    {
        public static Task<PanelTeam> OfAsync(PortalFactory portal) => portal.SharedAsync(async p =>
        {
            var (client, user) = await p.CreateUserClientAsync();
            var userId = await client.GetUserIdAsync();
            var organization = await client.PostForIdAsync("/api/organization", new { name = $"metrics-{CatalogueSteps.Unique()}" });
            var project = await client.PostForIdAsync($"/api/organization/{organization}/project", new { name = "shop" });
            var environment = await client.PostForIdAsync($"/api/project/{project}/environment", new { name = "staging", mode = "STAGING" });
            return new PanelTeam(client, user.Email, userId, organization, environment);
        });
    }
}
