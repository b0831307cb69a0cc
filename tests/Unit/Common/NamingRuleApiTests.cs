using System.Net;
using System.Net.Http.Json;
using Platform.Domain.Common;
using Platform.Tests.Support;

namespace Platform.Tests.Common;

/// <summary>Every service that names something checks the one rule, and a name already taken marks the name field.</summary>
public sealed class NamingRuleApiTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Theory]
    [InlineData("project")]
    [InlineData("environment")]
    [InlineData("application")]
    [InlineData("database")]
    public async Task Create_NamedStagingEnvBang_Returns400NamingTheNameField(string kind)
    {
        var catalogue = await portal.SharedAsync(p => Catalogue.CreateAsync(p));

        var response = await catalogue.Owner.PostAsJsonAsync(PathOf(kind, catalogue), BodyOf(kind, "Staging Env!"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, $"POST {kind} named \"Staging Env!\"");
        Assert.Equal(["name"], problem.ErrorFields());
        Assert.Equal(Names.Rule, problem["errors"]!["name"]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData("project", "shop")]
    [InlineData("environment", "staging")]
    [InlineData("application", "web")]
    [InlineData("database", "main")]
    public async Task Create_WithANameTaken_Returns409WithTheMessageOnTheNameField(string kind, string taken)
    {
        var catalogue = await portal.SharedAsync(p => Catalogue.CreateAsync(p));

        var response = await catalogue.Owner.PostAsJsonAsync(PathOf(kind, catalogue), BodyOf(kind, taken));

        var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict, $"POST {kind} named {taken} again");
        Assert.Equal(["name"], problem.ErrorFields());
        Assert.Contains(taken, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEnvironmentNamedBeforeTheRule_KeepsItsNameThroughOtherChanges_ButCannotBeRenamedOffTheRule()
    {
        var catalogue = await portal.SharedAsync(p => Catalogue.CreateAsync(p));
        var environment = await catalogue.Owner.PostForIdAsync(
            $"/api/project/{catalogue.ProjectId}/environment", new { name = $"legacy-{CatalogueSteps.Unique()}", mode = "DEVELOPMENT" });
        await portal.ExecuteSqlAsync("UPDATE environment SET name = 'Staging Env' WHERE id = @id", ("id", environment));

        var remoded = await catalogue.Owner.PutAsJsonAsync($"/api/environment/{environment}", new { name = "Staging Env", mode = "STAGING" });
        var renamed = await catalogue.Owner.PutAsJsonAsync($"/api/environment/{environment}", new { name = "Staging Env!" });

        Assert.Equal(HttpStatusCode.OK, remoded.StatusCode);
        var problem = await renamed.AssertProblemAsync(HttpStatusCode.BadRequest, "PUT environment named \"Staging Env!\"");
        Assert.Equal(["name"], problem.ErrorFields());
    }

    private static string PathOf(string kind, Catalogue catalogue) => kind switch
    {
        "project" => $"/api/organization/{catalogue.OrganizationId}/project",
        "environment" => $"/api/project/{catalogue.ProjectId}/environment",
        "application" => $"/api/environment/{catalogue.EnvironmentId}/application",
        _ => $"/api/environment/{catalogue.EnvironmentId}/database",
    };

    private static object BodyOf(string kind, string name) => kind switch
    {
        "project" => new { name },
        "environment" => new { name, mode = "STAGING" },
        "application" => new { name, git_repository = new { url = "/srv/git/web.git" }, start_command = "npm start", port = 3000 },
        _ => (object)new { name, type = "POSTGRESQL", version = "15", mode = "CONTAINER", storage = 10 },
    };
}
