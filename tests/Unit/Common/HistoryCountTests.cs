using System.Net.Http.Json;
using Npgsql;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Common;

/// <summary>
/// The totals of the unfiltered history lists (events of an environment, a service, an organization; deployments of
/// an environment and a service) come from counters the database keeps with triggers (migration HistoryCounts):
/// each test compares every list's <c>total</c> with a count of the rows, after writes by the API and the engine,
/// after a cascade, and after many-row statements written beside the portal, as the benchmark's COPY writes.
/// No retention job deletes events or deployments, so there is none to test here.
/// </summary>
public sealed class HistoryCountTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Totals_EqualTheRowCounts_AfterApiChangesAndDeployments()
    {
        var c = await Catalogue.CreateAsync(portal, $"counted-{CatalogueSteps.Unique()}");
        await (await c.Owner.PutAsJsonAsync($"/api/application/{c.ApplicationId}", new { port = 4000 })).ExpectAsync(System.Net.HttpStatusCode.OK, "PUT application");
        var first = await c.Owner.DeployAsync(c.ApplicationId);
        await EndedAsync(c, first);
        var second = await c.Owner.DeployAsync(c.ApplicationId);
        await EndedAsync(c, second);

        await AssertTotalsAsync(c);
    }

    [Fact]
    public async Task DeletingAnEnvironment_RemovesItsDeploymentCounters_AndLeavesTheOtherEnvironments()
    {
        var c = await Catalogue.CreateAsync(portal, $"cascade-{CatalogueSteps.Unique()}");
        var doomed = await c.Owner.PostForIdAsync($"/api/project/{c.ProjectId}/environment", new { name = $"doomed-{CatalogueSteps.Unique()}", mode = "STAGING" });
        var application = await c.Owner.PostForIdAsync($"/api/environment/{doomed}/application",
            new { name = "web", git_repository = new { url = "/srv/git/web.git" }, start_command = "npm start", port = 3000 });
        await EndedAsync(c, await c.Owner.DeployAsync(application), doomed);
        await EndedAsync(c, await c.Owner.DeployAsync(c.ApplicationId));
        Assert.Equal(1, await CounterAsync("environment_deployment", doomed));

        await (await c.Owner.DeleteAsync($"/api/environment/{doomed}")).ExpectAsync(System.Net.HttpStatusCode.NoContent, "DELETE environment");
        await Poll.UntilAsync(() => ScalarAsync("SELECT count(*) FROM environment WHERE id = @id", doomed), n => n == 0, "the environment to be deleted");

        Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM history_count WHERE owner_id = ANY(@ids) AND list IN ('environment_deployment', 'service_deployment')", new[] { doomed, application }));
        // Its events outlive it (no foreign key), and so does their counter.
        Assert.Equal(await ScalarAsync("SELECT count(*) FROM event WHERE environment_id = @id", doomed), await CounterAsync("event_environment", doomed));
        await AssertTotalsAsync(c);
    }

    [Fact]
    public async Task Totals_FollowManyRowStatementsFromConcurrentWriters()
    {
        var c = await Catalogue.CreateAsync(portal, $"bulk-{CatalogueSteps.Unique()}");
        // Eight connections at once, each inserting 10 statements of 50 events (no advisory lock, as COPY takes none),
        // then one statement deleting every third: no increment may be lost, no decrement forgotten.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            await using var connection = new NpgsqlConnection(portal.ConnectionString);
            await connection.OpenAsync();
            for (var i = 0; i < 10; i++)
            {
                await using var insert = new NpgsqlCommand("""
                    INSERT INTO event (id, organization_id, environment_id, service_type, service_id, service_name, state, simple_state, message, created_at)
                    SELECT gen_random_uuid(), @org, @environment, 'Application', @application, 'web', 'UPDATED', 'Ok', 'bulk', now()
                    FROM generate_series(1, 50)
                    """, connection);
                insert.Parameters.AddWithValue("org", c.OrganizationId);
                insert.Parameters.AddWithValue("environment", c.EnvironmentId);
                insert.Parameters.AddWithValue("application", c.ApplicationId);
                await insert.ExecuteNonQueryAsync();
            }
        }));
        await portal.ExecuteSqlAsync("DELETE FROM event WHERE service_id = @id AND message = 'bulk' AND sequence % 3 = 0", ("id", c.ApplicationId));

        Assert.Equal(await ScalarAsync("SELECT count(*) FROM event WHERE service_id = @id", c.ApplicationId), await TotalAsync(c, $"/api/application/{c.ApplicationId}/event"));
        await AssertTotalsAsync(c);
    }

    /// <summary>Every list of the catalogue's environment and services: the API's total is the number of rows.</summary>
    private async Task AssertTotalsAsync(Catalogue c)
    {
        (string Path, string Sql, Guid Id)[] lists =
        [
            ($"/api/environment/{c.EnvironmentId}/event", "SELECT count(*) FROM event WHERE environment_id = @id", c.EnvironmentId),
            ($"/api/application/{c.ApplicationId}/event", "SELECT count(*) FROM event WHERE service_id = @id", c.ApplicationId),
            ($"/api/database/{c.DatabaseId}/event", "SELECT count(*) FROM event WHERE service_id = @id", c.DatabaseId),
            ($"/api/organization/{c.OrganizationId}/event", "SELECT count(*) FROM event WHERE organization_id = @id", c.OrganizationId),
            ($"/api/environment/{c.EnvironmentId}/deployment", "SELECT count(*) FROM environment_deployment WHERE environment_id = @id", c.EnvironmentId),
            ($"/api/application/{c.ApplicationId}/deployment", "SELECT count(*) FROM service_deployment WHERE service_id = @id", c.ApplicationId),
            ($"/api/database/{c.DatabaseId}/deployment", "SELECT count(*) FROM service_deployment WHERE service_id = @id", c.DatabaseId),
        ];
        foreach (var (path, sql, id) in lists)
        {
            var counted = await ScalarAsync(sql, id);
            Assert.True(counted > 0 || path.EndsWith("/deployment", StringComparison.Ordinal), $"{path} has no rows to count");
            Assert.Equal((path, counted), (path, await TotalAsync(c, path)));
        }
    }

    private static async Task EndedAsync(Catalogue c, Guid deployment, Guid? environment = null) =>
        await Poll.UntilAsync(
            () => c.Owner.GetObjectAsync($"/api/environment/{environment ?? c.EnvironmentId}/deployment/{deployment}"),
            d => d["status"]?["state"]?.GetValue<string>() is "OK" or "FAILED" or "ABORTED",
            "the deployment to end");

    private static async Task<long> TotalAsync(Catalogue c, string path) =>
        (await c.Owner.GetObjectAsync($"{path}?tail=1"))["total"]!.GetValue<long>();

    private Task<long> CounterAsync(string list, Guid owner) =>
        ScalarAsync($"SELECT coalesce((SELECT entries FROM history_count WHERE list = '{list}' AND owner_id = @id), 0)", owner);

    private async Task<long> ScalarAsync(string sql, object id)
    {
        await using var connection = new NpgsqlConnection(portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql.Replace("@ids", "@id", StringComparison.Ordinal), connection);
        command.Parameters.AddWithValue("id", id);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
