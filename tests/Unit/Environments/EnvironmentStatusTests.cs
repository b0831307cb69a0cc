using Platform.Tests.Support;

namespace Platform.Tests.Environments;

/// <summary>
/// An environment's status is its worst service's, named with its kind: the list reads applications and databases
/// in one query (UNION ALL), each row saying which kind it is.
/// </summary>
public sealed class EnvironmentStatusTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Theory]
    [InlineData("_database", "database main")]
    [InlineData("application", "app web")]
    public async Task ServiceDown_IsNamedWithItsKind_InTheEnvironmentAndTheList(string table, string named)
    {
        var (owner, _) = await portal.CreateUserClientAsync();
        var organization = await owner.CreateOrganizationAsync($"status-{Guid.NewGuid():N}");
        var project = (await owner.CreateProjectAsync(organization, "shop")).Id();
        var environment = (await owner.CreateEnvironmentAsync(project, "staging")).Id();
        var application = (await owner.CreateApplicationAsync(environment, "web")).Id();
        var database = (await owner.CreateDatabaseAsync(environment, "main")).Id();
        await portal.ExecuteSqlAsync(
            $"UPDATE {table} SET state = 'DeploymentError', state_message = 'it broke' WHERE id = @id", ("id", table == "application" ? application : database));

        var one = await owner.GetObjectAsync($"/api/environment/{environment}");
        var listed = Assert.Single(await owner.GetResultsAsync($"/api/project/{project}/environment"))!.AsObject();

        Assert.Equal($"{named} is down: it broke", one["status"].Text("message"));
        Assert.Equal($"{named} is down: it broke", listed["status"].Text("message"));
        Assert.Equal(2, listed["total_services"]!.GetValue<int>());
    }
}
