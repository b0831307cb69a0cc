using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Platform.Tests.Support;

namespace Platform.Tests.Environments;

public sealed class EnvironmentUpdateTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Update_ThatChangesNothing_RecordsNoEvent()
    {
        var c = await Catalogue.CreateAsync(portal);
        var before = await TotalEventsAsync(c);

        var empty = await c.Owner.PutAsJsonAsync($"/api/environment/{c.EnvironmentId}", new { });
        var same = await c.Owner.PutAsJsonAsync($"/api/environment/{c.EnvironmentId}", new { name = "staging", mode = "STAGING" });
        var afterNothing = await TotalEventsAsync(c);
        var renamed = await c.Owner.PutAsJsonAsync($"/api/environment/{c.EnvironmentId}", new { name = "staging-2" });
        var afterRename = await TotalEventsAsync(c);

        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.Equal(before, afterNothing);
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal(before + 1, afterRename);
    }

    private static async Task<int> TotalEventsAsync(Catalogue c) =>
        (await c.Owner.GetFromJsonAsync<JsonObject>($"/api/environment/{c.EnvironmentId}/event"))!["total"]!.GetValue<int>();
}
