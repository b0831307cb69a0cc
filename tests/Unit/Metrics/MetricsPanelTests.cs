using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Platform.Domain.Live;
using Platform.Domain.Metrics;
using Platform.Portal.Infrastructure.Auth;
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

    private void Publish(Guid application, CurrentScale scale, string instance) =>
        portal.Services.GetRequiredService<LiveBus>().Publish(new MetricsSampled(Guid.Empty, null, application, DateTimeOffset.UtcNow, scale,
            [new InstanceMetrics(Guid.NewGuid().ToString(), instance, new(0.5, 0.25, 50, 80, 90, Ok), new(256, 100, 39, 80, 90, Ok), null)]));

    private static async Task<Guid> CreateApplicationAsync(PanelTeam team) =>
        await team.Owner.PostForIdAsync($"/api/environment/{team.EnvironmentId}/application",
            new { name = $"web-{CatalogueSteps.Unique()}", git_repository = new { url = "/srv/git/web.git" }, start_command = "npm start", port = 3000 });

    /// <summary>A bUnit context wired to the portal's own services, signed in as the team's owner.</summary>
    private BunitContext CreateContext(PanelTeam team)
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        var authorization = context.AddAuthorization();
        authorization.SetAuthorized(team.Email);
        authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, team.UserId.ToString()));
        context.Services.AddScoped<CurrentCaller>();
        context.Services.AddSingleton(portal.Services.GetRequiredService<LiveBus>());
        context.Services.AddSingleton(TimeProvider.System);
        // MetricsService is scoped in the portal: one scope of the host per panel, ended with the context.
        context.Services.AddSingleton(_ => new HostScope(portal.Services.CreateAsyncScope()));
        context.Services.AddScoped(sp => sp.GetRequiredService<HostScope>().Scope.ServiceProvider.GetRequiredService<MetricsService>());
        return context;
    }

    private sealed class HostScope(AsyncServiceScope scope) : IAsyncDisposable
    {
        public AsyncServiceScope Scope => scope;

        public ValueTask DisposeAsync() => scope.DisposeAsync();
    }

    /// <summary>One user, organization, project and environment for the whole class; each test adds its own applications.</summary>
    private sealed record PanelTeam(HttpClient Owner, string Email, Guid UserId, Guid EnvironmentId)
    {
        public static Task<PanelTeam> OfAsync(PortalFactory portal) => portal.SharedAsync(async p =>
        {
            var (client, user) = await p.CreateUserClientAsync();
            var userId = await client.GetUserIdAsync();
            var organization = await client.PostForIdAsync("/api/organization", new { name = $"metrics-{CatalogueSteps.Unique()}" });
            var project = await client.PostForIdAsync($"/api/organization/{organization}/project", new { name = "shop" });
            var environment = await client.PostForIdAsync($"/api/project/{project}/environment", new { name = "staging", mode = "STAGING" });
            return new PanelTeam(client, user.Email, userId, environment);
        });
    }
}
