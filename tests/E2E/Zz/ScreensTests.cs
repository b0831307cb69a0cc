using System.Text.Json.Nodes;
using System.Net.Http.Json;
using Platform.E2E.Support;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.E2E.Zz;

[Collection(PortalInABrowser.Name)]
public sealed class ScreensTests(E2EPortal portal, BrowserFixture browser)
{
    [Fact]
    public async Task Screens()
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
        await EndedAsync(catalogue, await catalogue.Owner.DeployAsync(application));
        var bad = SampleApp.Files("browser-bad");
        bad["build.sh"] = "echo the build breaks; echo fatal: could not read from remote repository 1>&2; exit 3";
        await repository.CommitAsync(bad, "Broken build");
        var failed = await EndedAsync(catalogue, await catalogue.Owner.DeployAsync(application));
        var failedId = failed["services"]![0]!["id"]!.GetValue<string>();
        foreach (var width in new[] { 1440, 390 })
        {
            await using var context = await browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = 900 } });
            var page = await context.NewPageAsync();
            var user = new PortalPages(page, portal.ServerAddress);
            await user.SignInAsync(catalogue.OwnerUser.Email, catalogue.OwnerUser.Password);
            async Task Shot(string path, string name)
            {
                await page.GotoAsync(portal.Url(path).ToString());
                await user.WaitUntilInteractiveAsync();
                await Task.Delay(1500);
                await page.ScreenshotAsync(new() { Path = $"/tmp/shots/{name}-{width}.png", FullPage = true });
            }
            await Shot($"/application/{application}", "app");
            await Shot($"/application/{application}?tab=logs&deployment={failedId}", "logs");
            await Shot($"/application/{application}?tab=events", "events");
            await Shot($"/environment/{catalogue.EnvironmentId}", "env");
            await Shot($"/environment/{catalogue.EnvironmentId}?tab=deployments", "envdeps");
            await Shot($"/project/{catalogue.ProjectId}?tab=settings", "projsettings");
            await Shot("/no/such/page", "404");
            await Shot($"/application/{Guid.NewGuid()}", "404id");
            await Shot("/", "dash");
        }
        await using var anon = await browser.Browser.NewContextAsync();
        var p2 = await anon.NewPageAsync();
        await p2.GotoAsync(portal.Url("/account/forgot").ToString());
        await Task.Delay(1000);
        await p2.ScreenshotAsync(new() { Path = "/tmp/shots/forgot.png", FullPage = true });
    }

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
