using Microsoft.Playwright;
using Platform.E2E.Support;
using Platform.Tests.Deployments;
using Platform.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Platform.E2E.Metrics;

/// <summary>A deployed application's page shows its scale, its instances' gauges and its metrics over time, from the real sampler.</summary>
[Collection(PortalInABrowser.Name)]
public sealed class ApplicationMetricsTests(E2EPortal portal, BrowserFixture browser) : IAsyncLifetime
{
    // The sampler takes its first sample within 10 s of the start, and the chart reads its series again on a sample.
    private static readonly LocatorAssertionsToBeVisibleOptions Slowly = new() { Timeout = 60_000 };
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() => _context = await browser.Browser.NewContextAsync();

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task DeployedApplication_ShowsItsScale_ItsInstancesGauges_AndAChartOverTime()
    {
        var catalogue = await portal.CreateCatalogueAsync();
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("metrics-v1"), "First version");
        var application = await catalogue.Owner.PostForIdAsync($"/api/environment/{catalogue.EnvironmentId}/application", new
        {
            name = "measured",
            git_repository = new { url = repository.Url, branch = "main", root_path = "/" },
            start_command = SampleApp.StartCommand,
            port = 8080,
            cpu = 0.5,
            memory = 256,
            healthchecks = new { readiness_probe = new { type = "HTTP", path = "/health", period_seconds = 1, timeout_seconds = 2, failure_threshold = 5 } },
        });
        await catalogue.Owner.DeployAsync(application);
        var page = await _context.NewPageAsync();
        var user = new PortalPages(page, portal.ServerAddress);
        await user.SignInAsync(catalogue.OwnerUser.Email, catalogue.OwnerUser.Password);
        await page.GotoAsync(portal.Url($"/application/{application}").ToString());
        await user.WaitUntilInteractiveAsync();
        await Expect(page.Locator("h1").Locator("xpath=..").GetByTestId("status")).ToContainTextAsync("Running", new() { Timeout = 60_000 });

        await page.GetByRole(AriaRole.Tab, new() { Name = "Metrics" }).ClickAsync();

        await Expect(page.GetByTestId("scale-text")).ToHaveTextAsync("1 running of 1", new() { Timeout = 60_000 });
        var instance = page.GetByRole(AriaRole.Group, new() { Name = "instance 1" });
        await Expect(instance).ToBeVisibleAsync(Slowly);
        await Expect(instance.GetByTestId("gauge-cpu")).ToContainTextAsync("of 0.5 cores");
        await Expect(instance.GetByTestId("gauge-memory")).ToContainTextAsync("of 256 MB");
        await Expect(instance.GetByRole(AriaRole.Progressbar, new() { Name = "CPU" })).ToBeVisibleAsync();
        await Expect(instance.GetByTestId("gauge-storage")).ToHaveCountAsync(0);
        var chart = page.GetByRole(AriaRole.Figure, new() { Name = "CPU over the last day" });
        await Expect(chart).ToBeVisibleAsync();
        await Expect(chart.Locator("svg.mud-chart-line")).ToBeVisibleAsync(Slowly);
        await Expect(chart.Locator(".mud-charts-timeseries-series path").First).ToBeAttachedAsync();
        await Expect(chart.Locator(".mud-chart-legend")).ToContainTextAsync("instance 1");

        await page.GetByRole(AriaRole.Group, new() { Name = "Metric" }).GetByText("Memory", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Group, new() { Name = "Period" }).GetByText("7 days", new() { Exact = true }).ClickAsync();

        var memory = page.GetByRole(AriaRole.Figure, new() { Name = "Memory over the last 7 days" });
        await Expect(memory.Locator("svg.mud-chart-line")).ToBeVisibleAsync(Slowly);
    }
}
