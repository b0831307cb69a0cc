using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Platform.Tests.Support;

namespace Platform.Tests.Deployments;

/// <summary>What the router lets through between a browser and an application.</summary>
public sealed class RouterTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Router_NeverHandsThePortalsCredentialsToAnApplication_AndSandboxesItsPages()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var team = await RuntimeTeam.OfAsync(portal);
        var environment = await team.CreateEnvironmentAsync();
        var application = await team.Owner.CreateApplicationAsync(environment, RuntimeSteps.ApplicationBody(repository.Url));
        await team.Owner.DeployOkAsync(application);
        var url = await team.Owner.UrlAsync(application);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, "headers"));
        request.Headers.TryAddWithoutValidation("Cookie", "platform.session=PORTAL-SESSION; .AspNetCore.Antiforgery.x=TOKEN; cart=3");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "plt_portal-token");

        using var response = await RuntimeSteps.Router.SendAsync(request);
        var seen = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

        Assert.Equal("cart=3", seen["cookie"]!.GetValue<string>());
        Assert.False(seen.ContainsKey("authorization"));
        Assert.Contains("sandbox", string.Join(";", response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
    }
}
