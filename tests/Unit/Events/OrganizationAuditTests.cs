using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Platform.Tests.Support;

namespace Platform.Tests.Events;

/// <summary>The organization-wide audit trail and its filters.</summary>
public sealed class OrganizationAuditTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task AuditTrail_FiltersByTargetAuthorAndTime()
    {
        var c = await Catalogue.CreateAsync(portal, "audited");
        await Task.Delay(50);
        var before = DateTimeOffset.UtcNow.ToString("O");
        (await c.Owner.PutAsJsonAsync($"/api/application/{c.ApplicationId}", new { start_command = "npm run serve" })).EnsureSuccessStatusCode();
        var me = (await c.Owner.GetFromJsonAsync<JsonObject>("/api/user"))!["id"]!.GetValue<string>();

        var all = await ListAsync(c, "");
        var application = await ListAsync(c, $"targetType=APPLICATION&targetId={c.ApplicationId}");
        var recent = await ListAsync(c, $"from={Uri.EscapeDataString(before)}&authorId={me}");
        var nobody = await ListAsync(c, $"authorId={Guid.NewGuid()}");

        Assert.Contains(all, e => e.Service == "DATABASE");
        Assert.All(application, e => Assert.Equal(("APPLICATION", "web"), (e.Service, e.Name)));
        Assert.Equal(["UPDATED", "CREATED"], application.Select(e => e.State));
        Assert.Equal(["UPDATED"], recent.Select(e => e.State));
        Assert.Empty(nobody);
    }

    [Theory]
    [InlineData("targetType=PLANET")]
    [InlineData("targetId=not-an-id")]
    [InlineData("from=yesterday")]
    [InlineData("from=2026-11-27T10:00:00Z&to=2026-11-26T10:00:00Z")]
    public async Task AuditTrail_WithABadFilter_Answers400(string filter)
    {
        var c = await Catalogue.CreateAsync(portal, $"bad {Guid.NewGuid():N}"[..20]);

        var response = await c.Owner.GetAsync($"/api/organization/{c.OrganizationId}/event?{filter}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    private static async Task<List<(string Service, string Name, string State)>> ListAsync(Catalogue c, string filter)
    {
        var page = (await c.Owner.GetFromJsonAsync<JsonObject>($"/api/organization/{c.OrganizationId}/event?tail=100&{filter}"))!;
        return page["results"]!.AsArray()
            .Select(e => (e!["service"]!["type"]!.GetValue<string>(), e["service"]!["name"]!.GetValue<string>(), e["status"]!["state"]!.GetValue<string>()))
            .ToList();
    }
}
