using System.Net;
using Npgsql;
using Platform.Tests.Support;

namespace Platform.Tests.Organizations;

public sealed class OrganizationDeletionTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task DeleteOrganization_RemovesEverythingUnderIt()
    {
        var c = await Catalogue.CreateAsync(portal, "doomed");
        await c.Owner.PostForIdAsync($"/api/application/{c.ApplicationId}/secret", new { key = "API_KEY", value = "s" });
        await c.Owner.PostForIdAsync($"/api/organization/{c.OrganizationId}/apiToken", new { name = "ci", role = "VIEWER" });

        var deleted = await c.Owner.DeleteAsync($"/api/organization/{c.OrganizationId}");
        var after = await c.Owner.GetAsync($"/api/organization/{c.OrganizationId}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        await using var connection = new NpgsqlConnection(portal.ConnectionString);
        await connection.OpenAsync();
        foreach (var table in new[] { "organization_member", "cluster", "project", "variable", "event", "api_token" })
        {
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM {table} WHERE organization_id = @id", connection);
            count.Parameters.AddWithValue("id", c.OrganizationId);
            Assert.True((long)(await count.ExecuteScalarAsync())! == 0, $"{table} still holds rows of the deleted organization");
        }

        await using var services = new NpgsqlCommand("SELECT (SELECT count(*) FROM environment WHERE id = @e) + (SELECT count(*) FROM application WHERE id = @a)", connection);
        services.Parameters.AddWithValue("e", c.EnvironmentId);
        services.Parameters.AddWithValue("a", c.ApplicationId);
        Assert.Equal(0L, await services.ExecuteScalarAsync());
    }
}
