using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Platform.Tests.Support;

namespace Platform.Tests.Variables;

public sealed class VariableRulesTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Theory]
    [InlineData("1STARTS_WITH_DIGIT")]
    [InlineData("HAS-DASH")]
    [InlineData("HAS SPACE")]
    [InlineData("PLATFORM_MINE")]
    [InlineData("platform_lower")]
    [InlineData("")]
    public async Task Create_WithAnInvalidKey_Returns400OnKey(string key)
    {
        var c = await Catalogue.CreateAsync(portal);

        var response = await c.Owner.PostAsJsonAsync($"/api/project/{c.ProjectId}/environmentVariable", new { key, value = "x" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["key"]);
    }

    [Fact]
    public async Task Create_WithAKeyOf256Characters_Returns400_AndOf255_Succeeds()
    {
        var c = await Catalogue.CreateAsync(portal);

        var tooLong = await c.Owner.PostAsJsonAsync($"/api/project/{c.ProjectId}/environmentVariable", new { key = "K" + new string('E', 255), value = "x" });
        var longest = await c.Owner.PostAsJsonAsync($"/api/project/{c.ProjectId}/environmentVariable", new { key = "K" + new string('E', 254), value = "x" });

        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.Created, longest.StatusCode);
    }

    [Fact]
    public async Task Create_WithAValueOverSixtyFourKiB_Returns400OnValue()
    {
        var c = await Catalogue.CreateAsync(portal);

        var response = await c.Owner.PostAsJsonAsync($"/api/environment/{c.EnvironmentId}/secret", new { key = "BIG", value = new string('v', 64 * 1024 + 1) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["value"]);
    }

    [Fact]
    public async Task Create_WithAScopeOtherThanTheResource_Returns400OnScope()
    {
        var c = await Catalogue.CreateAsync(portal);

        var response = await c.Owner.PostAsJsonAsync($"/api/environment/{c.EnvironmentId}/environmentVariable", new { key = "A", value = "x", scope = "PROJECT" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["scope"]);
    }

    [Fact]
    public async Task Create_AKeyAlreadySetAsASecretOnTheSameHolder_Returns409()
    {
        var c = await Catalogue.CreateAsync(portal);
        await c.Owner.PostForIdAsync($"/api/application/{c.ApplicationId}/secret", new { key = "API_KEY", value = "s" });

        var response = await c.Owner.PostAsJsonAsync($"/api/application/{c.ApplicationId}/environmentVariable", new { key = "API_KEY", value = "x" });
        var elsewhere = await c.Owner.PostAsJsonAsync($"/api/environment/{c.EnvironmentId}/environmentVariable", new { key = "API_KEY", value = "x" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(HttpStatusCode.Created, elsewhere.StatusCode);
    }

    [Fact]
    public async Task Update_ChangesTheValue_AndDeleteRemovesIt()
    {
        var c = await Catalogue.CreateAsync(portal);
        var id = await c.Owner.PostForIdAsync($"/api/environment/{c.EnvironmentId}/environmentVariable", new { key = "MODE", value = "one" });

        var updated = await c.Owner.PutAsJsonAsync($"/api/environmentVariable/{id}", new { value = "two" });
        var value = (await updated.Content.ReadFromJsonAsync<JsonObject>())!["value"]!.GetValue<string>();
        var deleted = await c.Owner.DeleteAsync($"/api/environmentVariable/{id}");
        var list = await c.Owner.GetStringAsync($"/api/environment/{c.EnvironmentId}/environmentVariable");

        Assert.Equal("two", value);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.DoesNotContain("\"MODE\"", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VariablePaths_DoNotReachSecrets_AndSecretPathsDoNotReachVariables()
    {
        var c = await Catalogue.CreateAsync(portal);
        var secret = await c.Owner.PostForIdAsync($"/api/environment/{c.EnvironmentId}/secret", new { key = "S", value = "s" });
        var variable = await c.Owner.PostForIdAsync($"/api/environment/{c.EnvironmentId}/environmentVariable", new { key = "V", value = "v" });

        Assert.Equal(HttpStatusCode.NotFound, (await c.Owner.DeleteAsync($"/api/environmentVariable/{secret}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await c.Owner.DeleteAsync($"/api/secret/{variable}")).StatusCode);
    }

    [Fact]
    public async Task Create_AsViewer_Returns403_AndAsDeveloper_Succeeds()
    {
        var c = await Catalogue.CreateAsync(portal);
        var viewer = await AddMemberAsync(c, "VIEWER");
        var developer = await AddMemberAsync(c, "DEVELOPER");

        var asViewer = await viewer.PostAsJsonAsync($"/api/environment/{c.EnvironmentId}/environmentVariable", new { key = "A", value = "x" });
        var asViewerSecret = await viewer.PostAsJsonAsync($"/api/environment/{c.EnvironmentId}/secret", new { key = "B", value = "x" });
        var asDeveloper = await developer.PostAsJsonAsync($"/api/environment/{c.EnvironmentId}/environmentVariable", new { key = "A", value = "x" });
        var viewerReads = await viewer.GetAsync($"/api/environment/{c.EnvironmentId}/environmentVariable");

        Assert.Equal(HttpStatusCode.Forbidden, asViewer.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, asViewerSecret.StatusCode);
        Assert.Equal(HttpStatusCode.Created, asDeveloper.StatusCode);
        Assert.Equal(HttpStatusCode.OK, viewerReads.StatusCode);
    }

    [Fact]
    public async Task Create_InAnArchivedEnvironment_Returns409()
    {
        var c = await Catalogue.CreateAsync(portal);
        (await c.Owner.PostAsync($"/api/environment/{c.EnvironmentId}/archive", null)).EnsureSuccessStatusCode();

        var response = await c.Owner.PostAsJsonAsync($"/api/application/{c.ApplicationId}/environmentVariable", new { key = "A", value = "x" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task Import_CreatesChangesAndSkips_AndReportsErrorsPerLine()
    {
        var c = await Catalogue.CreateAsync(portal);
        await c.Owner.PostForIdAsync($"/api/environment/{c.EnvironmentId}/environmentVariable", new { key = "KEEP", value = "old" });
        await c.Owner.PostForIdAsync($"/api/environment/{c.EnvironmentId}/environmentVariable", new { key = "CHANGE", value = "old" });
        const string Env = """
            # exported from Heroku
            NEW=fresh
            export QUOTED="two words\nsecond line"
            LITERAL='$NOT_EXPANDED'
            KEEP=new
            broken line
            PLATFORM_OWN=1
            CHANGE=new # a comment
            """;

        var first = await ImportAsync(c, Env, overwrite: false);
        var second = await ImportAsync(c, "CHANGE=new", overwrite: true);
        var list = (await c.Owner.GetFromJsonAsync<JsonObject>($"/api/environment/{c.EnvironmentId}/environmentVariable"))!["results"]!.AsArray()
            .ToDictionary(v => v!["key"]!.GetValue<string>(), v => v!["value"]!.GetValue<string>());

        Assert.Equal(["LITERAL", "NEW", "QUOTED"], first["created"]!.AsArray().Select(k => k!.GetValue<string>()).Order());
        Assert.Equal(["CHANGE", "KEEP"], first["skipped"]!.AsArray().Select(k => k!.GetValue<string>()).Order());
        Assert.Equal([6, 7], first["errors"]!.AsArray().Select(e => e!["line"]!.GetValue<int>()));
        Assert.Equal(["CHANGE"], second["updated"]!.AsArray().Select(k => k!.GetValue<string>()));
        Assert.Equal("two words\nsecond line", list["QUOTED"]);
        Assert.Equal("$NOT_EXPANDED", list["LITERAL"]);
        Assert.Equal("old", list["KEEP"]);
        Assert.Equal("new", list["CHANGE"]);
    }

    private static async Task<JsonObject> ImportAsync(Catalogue c, string content, bool overwrite)
    {
        var response = await c.Owner.PostAsJsonAsync($"/api/environment/{c.EnvironmentId}/environmentVariable/import", new { content, overwrite });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private async Task<HttpClient> AddMemberAsync(Catalogue c, string role) =>
        (await portal.AddMemberAsync(c.Owner, c.OrganizationId, role)).Client;
}
