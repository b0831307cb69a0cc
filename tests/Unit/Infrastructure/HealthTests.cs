using System.Net;
using Platform.Tests.Support;

namespace Platform.Tests.Infrastructure;

public sealed class HealthTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Healthz_WhenTheDatabaseAnswers_Returns200()
    {
        var response = await portal.CreateAnonymousClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Healthz_WhenTheDatabaseIsDown_Returns503()
    {
        var server = await TestPostgres.StartServerAsync();
        var database = server.ConnectionString("health");
        await Platform.Portal.Infrastructure.Postgres.PostgresDatabases.EnsureExistsAsync(database);
        await using var doomed = PortalFactory.On(database);
        await ((IAsyncLifetime)doomed).InitializeAsync();
        var client = doomed.CreateAnonymousClient();
        var before = await client.GetAsync("/healthz");

        await server.StopAsync();
        var after = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, after.StatusCode);
    }
}
