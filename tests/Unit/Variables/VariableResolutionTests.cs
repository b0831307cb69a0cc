using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Domain.Variables;
using Platform.Tests.Support;

namespace Platform.Tests.Variables;

public sealed class VariableResolutionTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task EffectiveVariables_NearestScopeWins_AcrossAllFiveScopes()
    {
        var c = await Catalogue.CreateAsync(portal);
        foreach (var (path, value) in Holders(c))
        {
            await c.Owner.PostForIdAsync($"/api/{path}/environmentVariable", new { key = "GREETING", value });
            await c.Owner.PostForIdAsync($"/api/{path}/environmentVariable", new { key = $"ONLY_{value.ToUpperInvariant()}", value });
        }

        var application = await ListAsync(c.Owner, $"application/{c.ApplicationId}");
        var environment = await ListAsync(c.Owner, $"environment/{c.EnvironmentId}");
        var project = await ListAsync(c.Owner, $"project/{c.ProjectId}");
        var organization = await ListAsync(c.Owner, $"organization/{c.OrganizationId}");

        Assert.Equal(("application", "APPLICATION", "ENVIRONMENT"), Entry(application, "GREETING"));
        Assert.Equal(("environment", "ENVIRONMENT", "PROJECT"), Entry(environment, "GREETING"));
        Assert.Equal(("project", "PROJECT", "ORGANIZATION"), Entry(project, "GREETING"));
        Assert.Equal(("organization", "ORGANIZATION", null), Entry(organization, "GREETING"));
        Assert.Equal(("organization", "ORGANIZATION", null), Entry(application, "ONLY_ORGANIZATION"));
        Assert.Equal(("project", "PROJECT", null), Entry(application, "ONLY_PROJECT"));
        Assert.DoesNotContain("ONLY_APPLICATION", environment.Keys);
        Assert.Equal(("3000", "BUILT_IN", null), Entry(application, "PORT"));
        Assert.Equal((c.ApplicationId.ToString(), "BUILT_IN", null), Entry(application, "PLATFORM_APPLICATION_ID"));
        Assert.Equal(("staging", "BUILT_IN", null), Entry(environment, "PLATFORM_ENVIRONMENT_NAME"));
        Assert.Equal(("shop", "BUILT_IN", null), Entry(project, "PLATFORM_PROJECT_NAME"));
        Assert.Contains("DATABASE_MAIN_HOST", application.Keys);
        Assert.DoesNotContain("PORT", environment.Keys);
    }

    [Fact]
    public async Task BuiltInPort_FollowsTheApplicationsChangedPort()
    {
        var c = await Catalogue.CreateAsync(portal);

        await (await c.Owner.PutAsJsonAsync($"/api/application/{c.ApplicationId}", new { port = 4321 })).ExpectAsync(HttpStatusCode.OK, "PUT application");

        Assert.Equal(("4321", "BUILT_IN", null), Entry(await ListAsync(c.Owner, $"application/{c.ApplicationId}"), "PORT"));
    }

    [Fact]
    public async Task EffectiveVariables_LeaveOutDescendantsSiblingsAndOtherOrganizations()
    {
        var c = await Catalogue.CreateAsync(portal);
        foreach (var (path, scope) in Holders(c))
        {
            await c.Owner.PostForIdAsync($"/api/{path}/environmentVariable", new { key = $"ONLY_{scope.ToUpperInvariant()}", value = "x" });
        }

        var siblingApplication = await c.Owner.PostForIdAsync($"/api/environment/{c.EnvironmentId}/application",
            new { name = "worker", git_repository = new { url = "/srv/git/worker.git" }, start_command = "npm start", port = 3000 });
        var siblingEnvironment = await c.Owner.PostForIdAsync($"/api/project/{c.ProjectId}/environment", new { name = "production", mode = "PRODUCTION" });
        var siblingProject = await c.Owner.PostForIdAsync($"/api/organization/{c.OrganizationId}/project", new { name = "blog" });
        var other = await Catalogue.CreateAsync(portal, "other");

        var organization = await ListAsync(c.Owner, $"organization/{c.OrganizationId}");
        var project = await ListAsync(c.Owner, $"project/{c.ProjectId}");
        var environment = await ListAsync(c.Owner, $"environment/{c.EnvironmentId}");

        Assert.Equal(["ONLY_ORGANIZATION"], organization.Keys.Where(k => k.StartsWith("ONLY_", StringComparison.Ordinal)));
        Assert.Equal(["ONLY_ORGANIZATION", "ONLY_PROJECT"], project.Keys.Where(k => k.StartsWith("ONLY_", StringComparison.Ordinal)));
        Assert.Equal(["ONLY_ENVIRONMENT", "ONLY_ORGANIZATION", "ONLY_PROJECT"], environment.Keys.Where(k => k.StartsWith("ONLY_", StringComparison.Ordinal)));
        Assert.DoesNotContain("ONLY_APPLICATION", (await ListAsync(c.Owner, $"application/{siblingApplication}")).Keys);
        Assert.DoesNotContain("ONLY_ENVIRONMENT", (await ListAsync(c.Owner, $"environment/{siblingEnvironment}")).Keys);
        Assert.DoesNotContain("ONLY_PROJECT", (await ListAsync(c.Owner, $"project/{siblingProject}")).Keys);
        Assert.DoesNotContain(
            (await ListAsync(other.Owner, $"application/{other.ApplicationId}")).Keys, k => k.StartsWith("ONLY_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DatabasePasswordAndUrl_AreBuiltInSecrets_ListedWithoutValues()
    {
        var c = await Catalogue.CreateAsync(portal);

        var secrets = (await c.Owner.GetFromJsonAsync<JsonObject>($"/api/application/{c.ApplicationId}/secret"))!["results"]!.AsArray();

        var keys = secrets.Select(s => s!["key"]!.GetValue<string>()).ToList();
        Assert.Contains("DATABASE_MAIN_PASSWORD", keys);
        Assert.Contains("DATABASE_MAIN_URL", keys);
        Assert.All(secrets, s => Assert.Null(s!["value"]));
    }

    [Fact]
    public async Task BuiltInVariable_CannotBeCreatedChangedOrDeleted_Returns403()
    {
        var c = await Catalogue.CreateAsync(portal);
        var port = (await ListAsync(c.Owner, $"application/{c.ApplicationId}"))["PORT"];

        var create = await c.Owner.PostAsJsonAsync($"/api/application/{c.ApplicationId}/environmentVariable", new { key = "PORT", value = "1" });
        var change = await c.Owner.PutAsJsonAsync($"/api/environmentVariable/{port["id"]}", new { value = "1" });
        var delete = await c.Owner.DeleteAsync($"/api/environmentVariable/{port["id"]}");

        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, change.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.Contains("BUILT_IN", (await delete.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task VariableChange_MarksDeployedApplicationsRestartNeeded()
    {
        var c = await Catalogue.CreateAsync(portal);
        await using (var connection = new NpgsqlConnection(portal.ConnectionString))
        {
            await connection.OpenAsync();
            await using var deployed = new NpgsqlCommand("UPDATE application SET deployed_at = now() WHERE id = @id", connection);
            deployed.Parameters.AddWithValue("id", c.ApplicationId);
            await deployed.ExecuteNonQueryAsync();
        }

        var before = await c.Owner.GetFromJsonAsync<JsonObject>($"/api/application/{c.ApplicationId}");
        await c.Owner.PostForIdAsync($"/api/organization/{c.OrganizationId}/secret", new { key = "TOKEN", value = "s3cret" });
        var after = await c.Owner.GetFromJsonAsync<JsonObject>($"/api/application/{c.ApplicationId}");

        Assert.Empty(before!["flags"]!.AsArray());
        Assert.Equal(["RESTART_NEEDED"], after!["flags"]!.AsArray().Select(f => f!.GetValue<string>()));
    }

    [Fact]
    public async Task RuntimeEnvironment_HoldsEveryEffectiveKey_WithSecretsDecrypted()
    {
        var c = await Catalogue.CreateAsync(portal);
        await c.Owner.PostForIdAsync($"/api/organization/{c.OrganizationId}/environmentVariable", new { key = "GREETING", value = "organization" });
        await c.Owner.PostForIdAsync($"/api/environment/{c.EnvironmentId}/environmentVariable", new { key = "GREETING", value = "environment" });
        await c.Owner.PostForIdAsync($"/api/application/{c.ApplicationId}/secret", new { key = "API_KEY", value = "s3cret value" });
        await using var scope = portal.Services.CreateAsyncScope();

        var environment = (await scope.ServiceProvider.GetRequiredService<VariableService>().ResolveForRuntimeAsync(c.ApplicationId)).Values;

        Assert.Equal("environment", environment["GREETING"]);
        Assert.Equal("s3cret value", environment["API_KEY"]);
        Assert.Equal("3000", environment["PORT"]);
        Assert.StartsWith("postgresql://db_", environment["DATABASE_MAIN_URL"], StringComparison.Ordinal);
        Assert.Equal(48, environment["DATABASE_MAIN_PASSWORD"].Length);
        Assert.Contains(environment["DATABASE_MAIN_PASSWORD"], environment["DATABASE_MAIN_URL"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clone_CopiesTheVariablesAndSecretsOfTheEnvironmentAndItsApplications()
    {
        var c = await Catalogue.CreateAsync(portal);
        await c.Owner.PostForIdAsync($"/api/project/{c.ProjectId}/environmentVariable", new { key = "FROM_PROJECT", value = "p" });
        await c.Owner.PostForIdAsync($"/api/environment/{c.EnvironmentId}/environmentVariable", new { key = "FROM_ENVIRONMENT", value = "e" });
        await c.Owner.PostForIdAsync($"/api/environment/{c.EnvironmentId}/secret", new { key = "ENVIRONMENT_SECRET", value = "es" });
        await c.Owner.PostForIdAsync($"/api/application/{c.ApplicationId}/environmentVariable", new { key = "FROM_APPLICATION", value = "a" });
        await c.Owner.PostForIdAsync($"/api/application/{c.ApplicationId}/secret", new { key = "APPLICATION_SECRET", value = "as" });

        var clone = await c.Owner.PostForIdAsync($"/api/environment/{c.EnvironmentId}/clone", new { name = "staging-copy", mode = "DEVELOPMENT" });
        var clonedApplication = Guid.Parse((await c.Owner.GetFromJsonAsync<JsonObject>($"/api/environment/{clone}/application"))!["results"]![0]!["id"]!.GetValue<string>());
        var variables = await ListAsync(c.Owner, $"application/{clonedApplication}");
        await using var scope = portal.Services.CreateAsyncScope();
        var runtime = (await scope.ServiceProvider.GetRequiredService<VariableService>().ResolveForRuntimeAsync(clonedApplication)).Values;

        Assert.Equal(("e", "ENVIRONMENT", null), Entry(variables, "FROM_ENVIRONMENT"));
        Assert.Equal(("a", "APPLICATION", null), Entry(variables, "FROM_APPLICATION"));
        Assert.Equal(("p", "PROJECT", null), Entry(variables, "FROM_PROJECT"));
        Assert.Equal("es", runtime["ENVIRONMENT_SECRET"]);
        Assert.Equal("as", runtime["APPLICATION_SECRET"]);
        Assert.Equal(clone.ToString(), runtime["PLATFORM_ENVIRONMENT_ID"]);
    }

    /// <summary>The catalogue's four holders, from the organization down: their API path and scope's name.</summary>
    private static (string Path, string Scope)[] Holders(Catalogue c) =>
    [
        ($"organization/{c.OrganizationId}", "organization"),
        ($"project/{c.ProjectId}", "project"),
        ($"environment/{c.EnvironmentId}", "environment"),
        ($"application/{c.ApplicationId}", "application"),
    ];

    private static async Task<Dictionary<string, JsonObject>> ListAsync(HttpClient client, string holder) =>
        (await client.GetFromJsonAsync<JsonObject>($"/api/{holder}/environmentVariable"))!["results"]!.AsArray()
            .Select(v => v!.AsObject()).ToDictionary(v => v["key"]!.GetValue<string>());

    private static (string Value, string Scope, string? Overrides) Entry(Dictionary<string, JsonObject> list, string key) =>
        (list[key]["value"]!.GetValue<string>(), list[key]["scope"]!.GetValue<string>(), list[key]["overridden_scope"]?.GetValue<string>());
}
