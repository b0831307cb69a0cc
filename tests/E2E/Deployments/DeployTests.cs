using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Platform.E2E.Support;
using Platform.Portal.Runtime;
using Platform.Tests.Deployments;
using Platform.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Platform.E2E.Deployments;

[Collection(PortalInABrowser.Name)]
public sealed class DeployTests(E2EPortal portal, BrowserFixture browser) : IAsyncLifetime
{
    private static readonly LocatorAssertionsToContainTextOptions Slowly = new() { Timeout = 60_000 };
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() => _context = await browser.Browser.NewContextAsync();

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task DeployButton_BuildsAndStartsTheApplication_ThenItsAddressAnswers()
    {
        var catalogue = await portal.CreateCatalogueAsync();
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("browser-v1"), "First version");
        var application = await RunningApplications.CreateAsync(catalogue, repository);
        var page = await _context.NewPageAsync();
        var user = new PortalPages(page, portal.ServerAddress);
        await user.SignInAsync(catalogue.OwnerUser.Email, catalogue.OwnerUser.Password);
        await page.GotoAsync(portal.Url($"/application/{application}").ToString());
        await user.WaitUntilInteractiveAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Deploy", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Deploy" }).ClickAsync();

        var header = page.Locator("h1").Locator("xpath=..");
        await Expect(header.GetByTestId("status")).ToContainTextAsync("Running", Slowly);
        var deployment = page.GetByTestId("deployment").First;
        await Expect(deployment).ToContainTextAsync("Succeeded");
        await Expect(deployment).ToContainTextAsync("First version");
        await Expect(deployment.GetByText("Switch traffic")).ToBeVisibleAsync();
        var address = await page.GetByTestId("application-url").TextContentAsync();
        Assert.EndsWith($".{RouterAddress.DefaultDomain}", new Uri(address!.Trim()).Host, StringComparison.Ordinal);
        using var client = new HttpClient(AppHosts.Handler());
        var answer = await client.GetFromJsonAsync<JsonObject>(address!.Trim());
        Assert.Equal("browser-v1", answer!["version"]!.GetValue<string>());

        await page.GetByRole(AriaRole.Tab, new() { Name = "Logs" }).ClickAsync();
        await Expect(page.GetByTestId("log-panel")).ToContainTextAsync("is ready on port", Slowly);
    }

    [Fact]
    public async Task FailedBuild_WhileTheGoodVersionServes_ShowsRunningAtTheGoodCommit_AndLinksTheFailedDeploymentsLogs()
    {
        var catalogue = await portal.CreateCatalogueAsync();
        var good = SampleApp.Files("browser-good");
        good["build.sh"] = "echo building";
        using var repository = await TestGitRepository.CreateAsync(good, "Good version");
        var application = await catalogue.Owner.PostForIdAsync($"/api/environment/{catalogue.EnvironmentId}/application", new
        {
            name = "hello",
            git_repository = new { url = repository.Url, branch = "main", root_path = "/" },
            build_command = "sh build.sh",
            start_command = SampleApp.StartCommand,
            port = 8080,
            healthchecks = new { readiness_probe = new { type = "HTTP", path = "/health", period_seconds = 1, timeout_seconds = 2, failure_threshold = 5 } },
        });
        Assert.Equal("OK", (await EndedAsync(catalogue, await catalogue.Owner.DeployAsync(application)))["status"]!["state"]!.GetValue<string>());
        var bad = SampleApp.Files("browser-bad");
        bad["build.sh"] = "echo the build breaks; exit 3";
        await repository.CommitAsync(bad, "Broken build");
        var failed = await EndedAsync(catalogue, await catalogue.Owner.DeployAsync(application));
        Assert.Equal("FAILED", failed["status"]!["state"]!.GetValue<string>());
        var failedId = failed["services"]![0]!["id"]!.GetValue<string>();
        var page = await _context.NewPageAsync();
        var user = new PortalPages(page, portal.ServerAddress);
        await user.SignInAsync(catalogue.OwnerUser.Email, catalogue.OwnerUser.Password);

        await page.GotoAsync(portal.Url($"/application/{application}").ToString());
        await user.WaitUntilInteractiveAsync();

        var header = page.Locator("h1").Locator("xpath=..");
        await Expect(header.GetByTestId("status")).ToHaveTextAsync($"Running · commit {repository.Commits[0][..7]}");
        var last = header.GetByTestId("last-deployment");
        await Expect(last).ToHaveTextAsync("Last deploy failed: build error");
        await Expect(last).ToHaveAttributeAsync("href", $"/application/{application}?tab=logs&deployment={failedId}");
        using var client = new HttpClient(AppHosts.Handler());
        var answer = await client.GetFromJsonAsync<JsonObject>((await page.GetByTestId("application-url").TextContentAsync())!.Trim());
        Assert.Equal("browser-good", answer!["version"]!.GetValue<string>());

        await last.ClickAsync();
        await page.WaitForURLAsync($"**/application/{application}?tab=logs&deployment={failedId}");
        var logsTab = page.GetByRole(AriaRole.Tab, new() { Name = "Logs" });
        if (await logsTab.GetAttributeAsync("aria-selected") != "true")
        {
            await logsTab.ClickAsync(); // Tabs in the URL are task B's; until they are merged the tab is chosen by hand.
        }

        await Expect(page.GetByTestId("log-panel")).ToContainTextAsync("the build breaks", Slowly);
    }

    /// <summary>Waits until the environment deployment ended (OK, FAILED or ABORTED); answers it as it ended.</summary>
    private static async Task<JsonObject> EndedAsync(Catalogue catalogue, Guid deployment)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(90); ; await Task.Delay(250))
        {
            var answer = (await catalogue.Owner.GetFromJsonAsync<JsonObject>($"/api/environment/{catalogue.EnvironmentId}/deployment/{deployment}"))!;
            if (answer["status"]!["state"]!.GetValue<string>() is "OK" or "FAILED" or "ABORTED" || DateTime.UtcNow > deadline)
            {
                return answer;
            }
        }
    }
}
