using System.Net;
using System.Net.Http.Json;
using Platform.Tests.Support;

namespace Platform.Tests.Services;

public sealed class ServiceNameTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Theory]
    [InlineData("database", "MAIN")]
    [InlineData("application", "Main")]
    [InlineData("database", "WEB")]
    public async Task Create_WithANameThatDiffersOnlyInCase_Returns409(string kind, string name)
    {
        var c = await Catalogue.CreateAsync(portal);

        var response = await c.Owner.PostAsJsonAsync($"/api/environment/{c.EnvironmentId}/{kind}", Body(kind, name));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task Create_DatabasesWhoseVariablesWouldCollide_Returns409ForTheSecond()
    {
        var c = await Catalogue.CreateAsync(portal);
        await c.Owner.PostForIdAsync($"/api/environment/{c.EnvironmentId}/database", Body("database", "orders-db"));

        var response = await c.Owner.PostAsJsonAsync($"/api/environment/{c.EnvironmentId}/database", Body("database", "orders_db"));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    private static object Body(string kind, string name) => kind == "database"
        ? new { name }
        : new { name, git_repository = new { url = "/srv/git/x.git" }, start_command = "x" };
}
