using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Platform.Tests.Support;

namespace Platform.Tests.Databases;

/// <summary>
/// GET|POST /environment/{id}/database and GET|PUT|DELETE /database/{id}: PostgreSQL 13 to 17 in CONTAINER mode
/// with 1 to 1024 GB, PUT keeping what it leaves out, names shared with applications, and VIEWER refused.
/// </summary>
public sealed class DatabaseApiTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private static readonly string[] DatabaseFields =
        ["created_at", "environment_id", "id", "mode", "name", "status", "storage", "type", "updated_at", "version"];

    [Fact]
    public async Task Create_Returns201EchoingTheSettings()
    {
        var env = await EnvironmentAsync();
        var name = $"main-{CatalogueSteps.Unique()}";

        var response = await env.Owner.PostAsJsonAsync(
            $"/api/environment/{env.Id}/database", new { name, type = "POSTGRESQL", version = "16", mode = "CONTAINER", storage = 25 });

        var database = await response.ReadJsonAsync(HttpStatusCode.Created, "POST database");
        Assert.EndsWith($"/api/database/{database.Id()}", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(DatabaseFields, database.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(name, database.Text("name"));
        Assert.Equal("POSTGRESQL", database.Text("type"));
        Assert.Equal("16", database.Text("version"));
        Assert.Equal("CONTAINER", database.Text("mode"));
        Assert.Equal(25, database["storage"]!.GetValue<int>());
        Assert.Equal(env.Id.ToString(), database.Text("environment_id"));
        Assert.Equal("STOPPED", database["status"].Text("state"));
        Assert.Equal("OK", database["status"].Text("simple_state"));
    }

    [Fact]
    public async Task GetAndList_AnswerWhatCreateAnswered()
    {
        var env = await EnvironmentAsync();
        var created = await env.Owner.CreateDatabaseAsync(env.Id, $"listed-{CatalogueSteps.Unique()}");

        var got = await env.Viewer.Client.GetObjectAsync($"/api/database/{created.Id()}");
        var listed = (await env.Viewer.Client.GetResultsAsync($"/api/environment/{env.Id}/database")).Single(d => d!.AsObject().Id() == created.Id());

        Assert.True(JsonNode.DeepEquals(created, got), $"GET answered {got}, POST {created}");
        Assert.True(JsonNode.DeepEquals(created, listed), $"the list answered {listed}, POST {created}");
    }

    [Theory]
    [InlineData("13")]
    [InlineData("14")]
    [InlineData("15")]
    [InlineData("17")]
    public async Task Create_WithSupportedVersion_Returns201(string version)
    {
        var env = await EnvironmentAsync();

        var created = await env.Owner.CreateDatabaseAsync(env.Id, $"v{version}-{CatalogueSteps.Unique()}", version);

        Assert.Equal(version, created.Text("version"));
    }

    [Theory]
    [InlineData("12")]
    [InlineData("18")]
    [InlineData("latest")]
    [InlineData("")]
    public async Task Create_WithUnsupportedVersion_Returns400NamingVersion(string version)
    {
        var env = await EnvironmentAsync();
        var name = $"old-{CatalogueSteps.Unique()}";

        var response = await env.Owner.PostAsJsonAsync($"/api/environment/{env.Id}/database", new { name, type = "POSTGRESQL", version, mode = "CONTAINER", storage = 10 });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, $"POST database version \"{version}\"");
        Assert.Equal(["version"], problem.ErrorFields());
        Assert.DoesNotContain(await env.Owner.GetResultsAsync($"/api/environment/{env.Id}/database"), d => d.Text("name") == name);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1024)]
    public async Task Create_WithStorageAtTheBounds_Returns201(int storage)
    {
        var env = await EnvironmentAsync();

        var created = await env.Owner.CreateDatabaseAsync(env.Id, $"gb{storage}-{CatalogueSteps.Unique()}", storage: storage);

        Assert.Equal(storage, created["storage"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(1025)]
    public async Task Create_WithStorageOutOfBounds_Returns400NamingStorage(int storage)
    {
        var env = await EnvironmentAsync();

        var response = await env.Owner.PostAsJsonAsync(
            $"/api/environment/{env.Id}/database", new { name = $"big-{CatalogueSteps.Unique()}", type = "POSTGRESQL", version = "15", mode = "CONTAINER", storage });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, $"POST database with storage {storage}");
        Assert.Equal(["storage"], problem.ErrorFields());
    }

    [Fact]
    public async Task Create_InManagedMode_Returns400NamingMode()
    {
        var env = await EnvironmentAsync();

        var response = await env.Owner.PostAsJsonAsync(
            $"/api/environment/{env.Id}/database", new { name = $"cloud-{CatalogueSteps.Unique()}", type = "POSTGRESQL", version = "15", mode = "MANAGED", storage = 10 });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "POST database in MANAGED mode");
        Assert.Equal(["mode"], problem.ErrorFields());
    }

    [Fact]
    public async Task Create_WithUnknownType_Returns400()
    {
        var env = await EnvironmentAsync();
        var name = $"mysql-{CatalogueSteps.Unique()}";

        var response = await env.Owner.PostAsJsonAsync($"/api/environment/{env.Id}/database", new { name, type = "MYSQL", version = "8", mode = "CONTAINER", storage = 10 });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "POST database of type MYSQL");
        Assert.DoesNotContain(await env.Owner.GetResultsAsync($"/api/environment/{env.Id}/database"), d => d.Text("name") == name);
    }

    [Fact]
    public async Task Create_WithSeveralInvalidFields_Returns400NamingEach()
    {
        var env = await EnvironmentAsync();

        var response = await env.Owner.PostAsJsonAsync(
            $"/api/environment/{env.Id}/database", new { name = "no spaces allowed", type = "POSTGRESQL", version = "9", mode = "CONTAINER", storage = 0 });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "POST database with three bad fields");
        Assert.Equal(["name", "storage", "version"], problem.ErrorFields());
    }

    [Fact]
    public async Task Update_WithSomeFields_KeepsTheOthers()
    {
        var env = await EnvironmentAsync();
        var created = await env.Owner.CreateDatabaseAsync(env.Id, $"grow-{CatalogueSteps.Unique()}", "14", 5);

        var updated = await (await env.Developer.Client.PutAsJsonAsync($"/api/database/{created.Id()}", new { storage = 50 }))
            .ReadJsonAsync(HttpStatusCode.OK, "PUT database storage");

        var expected = created.DeepClone().AsObject();
        expected["storage"] = 50;
        expected["updated_at"] = updated["updated_at"]?.DeepClone();
        Assert.True(JsonNode.DeepEquals(expected, updated), $"expected\n{expected}\ngot\n{updated}");
        Assert.True(JsonNode.DeepEquals(updated, await env.Owner.GetObjectAsync($"/api/database/{created.Id()}")));
    }

    [Fact]
    public async Task Update_Invalid_Returns400AndKeepsTheDatabase()
    {
        var env = await EnvironmentAsync();
        var created = await env.Owner.CreateDatabaseAsync(env.Id, $"kept-{CatalogueSteps.Unique()}");

        var response = await env.Owner.PutAsJsonAsync($"/api/database/{created.Id()}", new { version = "11", storage = 2048 });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "PUT database with version 11 and 2048 GB");
        Assert.Equal(["storage", "version"], problem.ErrorFields());
        Assert.True(JsonNode.DeepEquals(created, await env.Owner.GetObjectAsync($"/api/database/{created.Id()}")));
    }

    [Fact]
    public async Task Update_RenamingToAnApplicationsName_Returns409()
    {
        var env = await EnvironmentAsync();
        var application = await env.Owner.CreateApplicationAsync(env.Id, $"app-{CatalogueSteps.Unique()}");
        var created = await env.Owner.CreateDatabaseAsync(env.Id, $"db-{CatalogueSteps.Unique()}");

        var response = await env.Owner.PutAsJsonAsync($"/api/database/{created.Id()}", new { name = application.Text("name") });

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "PUT database to an application's name");
        Assert.Equal(created.Text("name"), (await env.Owner.GetObjectAsync($"/api/database/{created.Id()}")).Text("name"));
    }

    [Fact]
    public async Task Create_WithNameOfADatabase_Returns409()
    {
        var env = await EnvironmentAsync();
        var name = $"twice-{CatalogueSteps.Unique()}";
        await env.Owner.CreateDatabaseAsync(env.Id, name);

        var response = await env.Owner.PostAsJsonAsync($"/api/environment/{env.Id}/database", new { name, version = "17" });

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "POST database with a taken name");
        Assert.Single(await env.Owner.GetResultsAsync($"/api/environment/{env.Id}/database"), d => d.Text("name") == name);
    }

    [Fact]
    public async Task Delete_RemovesTheDatabase()
    {
        var env = await EnvironmentAsync();
        var created = await env.Owner.CreateDatabaseAsync(env.Id, $"drop-{CatalogueSteps.Unique()}");

        var response = await env.Developer.Client.DeleteAsync($"/api/database/{created.Id()}");

        await response.ExpectAsync(HttpStatusCode.NoContent, "DELETE database");
        await (await env.Owner.GetAsync($"/api/database/{created.Id()}")).AssertProblemAsync(HttpStatusCode.NotFound, "GET the deleted database");
        Assert.DoesNotContain(await env.Owner.GetResultsAsync($"/api/environment/{env.Id}/database"), d => d!.AsObject().Id() == created.Id());
    }

    [Fact]
    public async Task CreateUpdateDelete_AsViewer_Return403AndChangeNothing()
    {
        var env = await EnvironmentAsync();
        var created = await env.Owner.CreateDatabaseAsync(env.Id, $"guarded-{CatalogueSteps.Unique()}");
        var name = $"refused-{CatalogueSteps.Unique()}";

        var create = await env.Viewer.Client.PostAsJsonAsync($"/api/environment/{env.Id}/database", new { name, version = "15" });
        var update = await env.Viewer.Client.PutAsJsonAsync($"/api/database/{created.Id()}", new { storage = 99 });
        var delete = await env.Viewer.Client.DeleteAsync($"/api/database/{created.Id()}");

        await create.AssertProblemAsync(HttpStatusCode.Forbidden, "POST database as VIEWER");
        await update.AssertProblemAsync(HttpStatusCode.Forbidden, "PUT database as VIEWER");
        await delete.AssertProblemAsync(HttpStatusCode.Forbidden, "DELETE database as VIEWER");
        Assert.True(JsonNode.DeepEquals(created, await env.Owner.GetObjectAsync($"/api/database/{created.Id()}")));
        Assert.DoesNotContain(await env.Owner.GetResultsAsync($"/api/environment/{env.Id}/database"), d => d.Text("name") == name);
    }

    [Fact]
    public async Task Get_Unknown_Returns404()
    {
        var env = await EnvironmentAsync();

        var response = await env.Owner.GetAsync($"/api/database/{Guid.CreateVersion7()}");

        await response.AssertProblemAsync(HttpStatusCode.NotFound, "GET an unknown database");
    }

    private Task<DatabaseEnvironment> EnvironmentAsync() => portal.SharedAsync(DatabaseEnvironment.CreateAsync);

    /// <summary>One environment the tests add databases to, with its owner, a DEVELOPER and a VIEWER.</summary>
    private sealed class DatabaseEnvironment
    {
        public required Guid Id { get; init; }

        public required HttpClient Owner { get; init; }

        public required ApiMember Developer { get; init; }

        public required ApiMember Viewer { get; init; }

        public static async Task<DatabaseEnvironment> CreateAsync(PortalFactory portal)
        {
            var (owner, _) = await portal.CreateUserClientAsync();
            var organization = await owner.CreateOrganizationAsync($"Databases {CatalogueSteps.Unique()}");
            var project = await owner.CreateProjectAsync(organization, "data");
            var environment = await owner.CreateEnvironmentAsync(project.Id(), "dev");
            return new DatabaseEnvironment
            {
                Id = environment.Id(),
                Owner = owner,
                Developer = await portal.AddMemberAsync(owner, organization, "DEVELOPER"),
                Viewer = await portal.AddMemberAsync(owner, organization, "VIEWER"),
            };
        }
    }
}
