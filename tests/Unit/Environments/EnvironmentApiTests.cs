using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Tests.Support;

namespace Platform.Tests.Environments;

/// <summary>
/// Clusters (every organization has a default one) and environments: the list as the draft shapes it, names
/// unique per project, archive and unarchive, clone, and the role rule (DEVELOPER and above change, VIEWER reads).
/// </summary>
public sealed class EnvironmentApiTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private static readonly string[] EnvironmentFields =
        ["archived", "cloud_provider", "cluster_id", "created_at", "id", "last_updater", "mode", "name", "project_id", "status", "total_services", "updated_at"];

    /// <summary>Fields an application answers that are its settings, as opposed to its identity and state.</summary>
    private static readonly string[] ApplicationSettingFields =
    [
        "name", "git_repository", "build_command", "start_command", "port", "cpu", "memory", "min_running_instances", "max_running_instances",
        "auto_deploy", "healthchecks",
    ];

    [Fact]
    public async Task ListClusters_OfANewOrganization_AnswersOneDefaultLocalCluster()
    {
        var org = await OrganizationAsync();

        var clusters = await org.Viewer.Client.GetResultsAsync($"/api/organization/{org.Id}/cluster");

        var cluster = Assert.Single(clusters)!.AsObject();
        Assert.Equal("LOCAL", cluster.Text("kind"));
        Assert.True(cluster["is_default"]!.GetValue<bool>());
        Assert.Equal(org.Id.ToString(), cluster.Text("organization_id"));
        var provider = cluster["cloud_provider"]!.AsObject();
        Assert.Equal(["id", "logo_url", "name", "short_name"], provider.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(cluster.Text("id"), provider.Text("id"));
        Assert.Equal("LOCAL", provider.Text("short_name"));
        Assert.False(string.IsNullOrWhiteSpace(provider.Text("name")));
        Assert.True(Uri.TryCreate(provider.Text("logo_url"), UriKind.Absolute, out var logo), $"logo_url is not an absolute URL: {provider}");
        Assert.Contains(logo.Scheme, new[] { "http", "https" });
    }

    [Fact]
    public async Task GetCluster_AnswersWhatTheListAnswers()
    {
        var org = await OrganizationAsync();
        var listed = await org.Owner.DefaultClusterAsync(org.Id);

        var got = await org.Viewer.Client.GetObjectAsync($"/api/cluster/{listed.Id()}");

        Assert.True(JsonNode.DeepEquals(listed, got), $"GET cluster answered {got}, the list {listed}");
    }

    [Fact]
    public async Task GetCluster_Unknown_Returns404()
    {
        var org = await OrganizationAsync();

        var response = await org.Owner.GetAsync($"/api/cluster/{Guid.CreateVersion7()}");

        await response.AssertProblemAsync(HttpStatusCode.NotFound, "GET an unknown cluster");
    }

    [Fact]
    public async Task Create_WithoutClusterId_Returns201OnTheDefaultCluster()
    {
        var org = await OrganizationAsync();
        var cluster = await org.Owner.DefaultClusterAsync(org.Id);
        var name = $"dev-{CatalogueSteps.Unique()}";

        var response = await org.Owner.PostAsJsonAsync($"/api/project/{org.ProjectId}/environment", new { name, mode = "STAGING" });

        var environment = await response.ReadJsonAsync(HttpStatusCode.Created, "POST environment");
        Assert.EndsWith($"/api/environment/{environment.Id()}", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(name, environment.Text("name"));
        Assert.Equal("STAGING", environment.Text("mode"));
        Assert.Equal(org.ProjectId.ToString(), environment.Text("project_id"));
        Assert.Equal(cluster.Text("id"), environment.Text("cluster_id"));
        Assert.True(JsonNode.DeepEquals(cluster["cloud_provider"], environment["cloud_provider"]), $"cloud_provider {environment["cloud_provider"]}, cluster's {cluster["cloud_provider"]}");
        Assert.Equal(JsonValueKind.False, environment["archived"]!.GetValueKind());
        Assert.Equal(0, environment["total_services"]!.GetValue<int>());
        Assert.Equal(org.OwnerId.ToString(), environment["last_updater"].Text("id"));
    }

    [Fact]
    public async Task Create_WithTheDefaultClusterNamed_Returns201OnIt()
    {
        var org = await OrganizationAsync();
        var cluster = await org.Owner.DefaultClusterAsync(org.Id);

        var environment = await org.Owner.CreateEnvironmentAsync(org.ProjectId, $"named-{CatalogueSteps.Unique()}", "PREVIEW", cluster.Id());

        Assert.Equal(cluster.Text("id"), environment.Text("cluster_id"));
        Assert.Equal("PREVIEW", environment.Text("mode"));
    }

    [Fact]
    public async Task Create_WithUnknownCluster_Returns400NamingClusterId()
    {
        var org = await OrganizationAsync();
        var name = $"nowhere-{CatalogueSteps.Unique()}";

        var response = await org.Owner.PostAsJsonAsync(
            $"/api/project/{org.ProjectId}/environment", new { name, mode = "DEVELOPMENT", cluster_id = Guid.CreateVersion7() });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "POST environment on an unknown cluster");
        Assert.Equal(["cluster_id"], problem.ErrorFields());
        Assert.DoesNotContain(await ListNamesAsync(org.Owner, org.ProjectId), n => n == name);
    }

    [Fact]
    public async Task Create_WithoutNameAndMode_Returns400NamingBoth()
    {
        var org = await OrganizationAsync();

        var response = await org.Owner.PostAsJsonAsync($"/api/project/{org.ProjectId}/environment", new { name = " " });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "POST environment without name and mode");
        Assert.Equal(["mode", "name"], problem.ErrorFields());
    }

    [Fact]
    public async Task Create_WithUnknownMode_Returns400()
    {
        var org = await OrganizationAsync();
        var name = $"sandbox-{CatalogueSteps.Unique()}";

        var response = await org.Owner.PostAsJsonAsync($"/api/project/{org.ProjectId}/environment", new { name, mode = "SANDBOX" });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "POST environment with mode SANDBOX");
        Assert.DoesNotContain(await ListNamesAsync(org.Owner, org.ProjectId), n => n == name);
    }

    [Fact]
    public async Task Create_WithNameTakenInTheProject_Returns409()
    {
        var org = await OrganizationAsync();
        var name = $"twice-{CatalogueSteps.Unique()}";
        await org.Owner.CreateEnvironmentAsync(org.ProjectId, name);

        var response = await org.Owner.PostAsJsonAsync($"/api/project/{org.ProjectId}/environment", new { name, mode = "PRODUCTION" });

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "POST environment with a taken name");
        Assert.Single(await ListNamesAsync(org.Owner, org.ProjectId), n => n == name);
    }

    [Fact]
    public async Task Create_SameNameConcurrently_Returns201OnceAnd409ForTheRest()
    {
        var org = await OrganizationAsync();
        for (var round = 0; round < 3; round++)
        {
            var name = $"raced-{CatalogueSteps.Unique()}";

            var statuses = await CatalogueSteps.ConcurrentlyAsync(
                8, _ => org.Owner.PostAsJsonAsync($"/api/project/{org.ProjectId}/environment", new { name, mode = "DEVELOPMENT" }));

            Assert.True(statuses.Count(s => s == 201) == 1 && statuses.All(s => s is 201 or 409), $"8 POSTs of \"{name}\" at once answered {string.Join(", ", statuses)}");
            Assert.Single(await ListNamesAsync(org.Owner, org.ProjectId), n => n == name);
        }
    }

    [Fact]
    public async Task Create_WithNameOfAnEnvironmentInAnotherProject_Returns201()
    {
        var org = await OrganizationAsync();
        var name = $"both-{CatalogueSteps.Unique()}";
        await org.Owner.CreateEnvironmentAsync(org.ProjectId, name);

        var response = await org.Owner.PostAsJsonAsync($"/api/project/{org.OtherProjectId}/environment", new { name, mode = "DEVELOPMENT" });

        await response.ExpectAsync(HttpStatusCode.Created, "POST environment with a name used in another project");
    }

    [Theory]
    [InlineData("VIEWER member")]
    [InlineData("VIEWER token")]
    public async Task Create_AsViewer_Returns403AndCreatesNothing(string caller)
    {
        var org = await OrganizationAsync();
        var name = $"refused-{CatalogueSteps.Unique()}";

        var response = await org.Caller(caller).PostAsJsonAsync($"/api/project/{org.ProjectId}/environment", new { name, mode = "DEVELOPMENT" });

        await response.AssertProblemAsync(HttpStatusCode.Forbidden, $"POST environment as {caller}");
        Assert.DoesNotContain(await ListNamesAsync(org.Owner, org.ProjectId), n => n == name);
    }

    [Theory]
    [InlineData("DEVELOPER member")]
    [InlineData("DEVELOPER token")]
    public async Task Create_AsDeveloper_Returns201(string caller)
    {
        var org = await OrganizationAsync();
        var name = $"allowed-{CatalogueSteps.Unique()}";

        var response = await org.Caller(caller).PostAsJsonAsync($"/api/project/{org.ProjectId}/environment", new { name, mode = "DEVELOPMENT" });

        await response.ExpectAsync(HttpStatusCode.Created, $"POST environment as {caller}");
        Assert.Contains(await ListNamesAsync(org.Owner, org.ProjectId), n => n == name);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("archive")]
    [InlineData("unarchive")]
    [InlineData("clone")]
    public async Task ChangeEnvironment_AsViewer_Returns403AndChangesNothing(string action)
    {
        var org = await OrganizationAsync();
        var environment = await org.Owner.CreateEnvironmentAsync(org.ProjectId, $"viewed-{CatalogueSteps.Unique()}");
        if (action == "unarchive")
        {
            await Archive(org.Owner, environment.Id());
        }

        var before = await ListNamesAsync(org.Owner, org.ProjectId, archived: null);
        var path = $"/api/environment/{environment.Id()}";
        var response = action switch
        {
            "PUT" => await org.Viewer.Client.PutAsJsonAsync(path, new { name = "renamed-by-viewer" }),
            "DELETE" => await org.Viewer.Client.DeleteAsync(path),
            "clone" => await org.Viewer.Client.PostAsJsonAsync($"{path}/clone", new { name = $"copy-{CatalogueSteps.Unique()}" }),
            _ => await org.Viewer.Client.PostAsync($"{path}/{action}", null),
        };

        await response.AssertProblemAsync(HttpStatusCode.Forbidden, $"{action} environment as VIEWER");
        Assert.Equal(before, await ListNamesAsync(org.Owner, org.ProjectId, archived: null));
        var after = await org.Owner.GetObjectAsync(path);
        Assert.Equal(action == "unarchive", after["archived"]!.GetValue<bool>());
    }

    [Fact]
    public async Task List_AnswersEveryFieldOfTheDraft()
    {
        var org = await OrganizationAsync();
        var project = await org.Owner.CreateProjectAsync(org.Id, $"shape-{CatalogueSteps.Unique()}");
        var environment = await org.Owner.CreateEnvironmentAsync(project.Id(), "shape", "PRODUCTION");
        await org.Developer.Client.CreateApplicationAsync(environment.Id(), "web");
        await org.Developer.Client.CreateDatabaseAsync(environment.Id(), "main");
        await org.Developer.Client.CreateDatabaseAsync(environment.Id(), "cache");
        var cluster = await org.Owner.DefaultClusterAsync(org.Id);

        var results = await org.Viewer.Client.GetResultsAsync($"/api/project/{project.Id()}/environment");

        var listed = Assert.Single(results)!.AsObject();
        Assert.Equal(EnvironmentFields, listed.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(environment.Text("id"), listed.Text("id"));
        Assert.Equal("shape", listed.Text("name"));
        Assert.Equal("PRODUCTION", listed.Text("mode"));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", listed.Text("created_at"));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", listed.Text("updated_at"));
        Assert.True(
            DateTimeOffset.Parse(listed.Text("updated_at")!, System.Globalization.CultureInfo.InvariantCulture)
                >= DateTimeOffset.Parse(listed.Text("created_at")!, System.Globalization.CultureInfo.InvariantCulture));

        var status = listed["status"]!.AsObject();
        Assert.Equal(["message", "simple_state", "state"], status.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("STOPPED", status.Text("state"));
        Assert.Equal("OK", status.Text("simple_state"));

        var updater = listed["last_updater"]!.AsObject();
        Assert.Equal(["id", "name", "picture_profile_url"], updater.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(org.Developer.UserId.ToString(), updater.Text("id"));
        Assert.Equal($"{org.Developer.User.FirstName} {org.Developer.User.LastName}", updater.Text("name"));

        Assert.True(JsonNode.DeepEquals(cluster["cloud_provider"], listed["cloud_provider"]), $"cloud_provider {listed["cloud_provider"]}, cluster's {cluster["cloud_provider"]}");
        Assert.Equal(3, listed["total_services"]!.GetValue<int>());
        Assert.Equal(JsonValueKind.False, listed["archived"]!.GetValueKind());
        Assert.Equal(project.Text("id"), listed.Text("project_id"));
        Assert.Equal(cluster.Text("id"), listed.Text("cluster_id"));
    }

    [Fact]
    public async Task List_ArchivedTrue_ListsOnlyArchivedOnes_AndByDefaultOnlyTheOthers()
    {
        var org = await OrganizationAsync();
        var project = await org.Owner.CreateProjectAsync(org.Id, $"archive-list-{CatalogueSteps.Unique()}");
        await org.Owner.CreateEnvironmentAsync(project.Id(), "active");
        var frozen = await org.Owner.CreateEnvironmentAsync(project.Id(), "frozen");
        await Archive(org.Owner, frozen.Id());

        var byDefault = await org.Viewer.Client.GetResultsAsync($"/api/project/{project.Id()}/environment");
        var notArchived = await org.Viewer.Client.GetResultsAsync($"/api/project/{project.Id()}/environment?archived=false");
        var archived = await org.Viewer.Client.GetResultsAsync($"/api/project/{project.Id()}/environment?archived=true");

        Assert.Equal(["active"], byDefault.Select(e => e.Text("name")));
        Assert.Equal(["active"], notArchived.Select(e => e.Text("name")));
        Assert.Equal(["frozen"], archived.Select(e => e.Text("name")));
        Assert.Equal(JsonValueKind.False, byDefault[0]!["archived"]!.GetValueKind());
        Assert.Equal(JsonValueKind.True, archived[0]!["archived"]!.GetValueKind());
        Assert.Equal(EnvironmentFields, archived[0]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task List_OfUnknownProject_Returns404()
    {
        var org = await OrganizationAsync();

        var response = await org.Owner.GetAsync($"/api/project/{Guid.CreateVersion7()}/environment");

        await response.AssertProblemAsync(HttpStatusCode.NotFound, "GET environments of an unknown project");
    }

    [Fact]
    public async Task Get_AnswersWhatTheListAnswers()
    {
        var org = await OrganizationAsync();
        var project = await org.Owner.CreateProjectAsync(org.Id, $"get-{CatalogueSteps.Unique()}");
        var environment = await org.Owner.CreateEnvironmentAsync(project.Id(), "one");

        var got = await org.Viewer.Client.GetObjectAsync($"/api/environment/{environment.Id()}");
        var listed = Assert.Single(await org.Viewer.Client.GetResultsAsync($"/api/project/{project.Id()}/environment"));

        Assert.True(JsonNode.DeepEquals(listed, got), $"GET answered {got}, the list {listed}");
        Assert.True(JsonNode.DeepEquals(environment, got), $"GET answered {got}, POST {environment}");
    }

    [Fact]
    public async Task Update_AsDeveloper_RenamesAndChangesMode()
    {
        var org = await OrganizationAsync();
        var environment = await org.Owner.CreateEnvironmentAsync(org.ProjectId, $"before-{CatalogueSteps.Unique()}");
        var name = $"after-{CatalogueSteps.Unique()}";

        var response = await org.Developer.Client.PutAsJsonAsync($"/api/environment/{environment.Id()}", new { name, mode = "PRODUCTION" });

        var updated = await response.ReadJsonAsync(HttpStatusCode.OK, "PUT environment");
        Assert.Equal(name, updated.Text("name"));
        Assert.Equal("PRODUCTION", updated.Text("mode"));
        Assert.Equal(org.Developer.UserId.ToString(), updated["last_updater"].Text("id"));
        var got = await org.Owner.GetObjectAsync($"/api/environment/{environment.Id()}");
        Assert.Equal(name, got.Text("name"));
        Assert.Equal("PRODUCTION", got.Text("mode"));
        Assert.Equal(environment.Text("cluster_id"), got.Text("cluster_id"));
    }

    [Fact]
    public async Task Update_ToNameOfAnotherEnvironment_Returns409AndKeepsTheName()
    {
        var org = await OrganizationAsync();
        var taken = await org.Owner.CreateEnvironmentAsync(org.ProjectId, $"taken-{CatalogueSteps.Unique()}");
        var environment = await org.Owner.CreateEnvironmentAsync(org.ProjectId, $"mine-{CatalogueSteps.Unique()}");

        var response = await org.Owner.PutAsJsonAsync($"/api/environment/{environment.Id()}", new { name = taken.Text("name") });

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "PUT environment to a taken name");
        Assert.Equal(environment.Text("name"), (await org.Owner.GetObjectAsync($"/api/environment/{environment.Id()}")).Text("name"));
    }

    [Fact]
    public async Task Delete_RemovesTheEnvironmentAndItsServices()
    {
        var org = await OrganizationAsync();
        var environment = await org.Owner.CreateEnvironmentAsync(org.ProjectId, $"doomed-{CatalogueSteps.Unique()}");
        var application = await org.Owner.CreateApplicationAsync(environment.Id(), "web");
        var database = await org.Owner.CreateDatabaseAsync(environment.Id(), "main");

        var response = await org.Developer.Client.DeleteAsync($"/api/environment/{environment.Id()}");

        await response.ExpectAsync(HttpStatusCode.NoContent, "DELETE environment");
        await (await org.Owner.GetAsync($"/api/environment/{environment.Id()}")).AssertProblemAsync(HttpStatusCode.NotFound, "GET the deleted environment");
        await (await org.Owner.GetAsync($"/api/application/{application.Id()}")).AssertProblemAsync(HttpStatusCode.NotFound, "GET its application");
        await (await org.Owner.GetAsync($"/api/database/{database.Id()}")).AssertProblemAsync(HttpStatusCode.NotFound, "GET its database");
        Assert.DoesNotContain(await ListNamesAsync(org.Owner, org.ProjectId, archived: null), n => n == environment.Text("name"));
    }

    [Fact]
    public async Task Archive_AsDeveloper_Returns200WithArchivedTrue()
    {
        var org = await OrganizationAsync();
        var environment = await org.Owner.CreateEnvironmentAsync(org.ProjectId, $"archived-{CatalogueSteps.Unique()}");

        var response = await org.Developer.Client.PostAsync($"/api/environment/{environment.Id()}/archive", null);

        var archived = await response.ReadJsonAsync(HttpStatusCode.OK, "POST archive");
        Assert.Equal(JsonValueKind.True, archived["archived"]!.GetValueKind());
        Assert.Equal(environment.Text("id"), archived.Text("id"));
        Assert.True((await org.Owner.GetObjectAsync($"/api/environment/{environment.Id()}"))["archived"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Archive_StopsRunningServices()
    {
        var org = await OrganizationAsync();
        var environment = await org.Owner.CreateEnvironmentAsync(org.ProjectId, $"running-{CatalogueSteps.Unique()}");
        var application = await org.Owner.CreateApplicationAsync(environment.Id(), "web");
        var database = await org.Owner.CreateDatabaseAsync(environment.Id(), "main");
        // No deployment exists yet to start them: put them in RUNNING where the runtime would.
        await portal.ExecuteSqlAsync("UPDATE application SET state = 'Running', state_message = 'up' WHERE id = @id", ("id", application.Id()));
        await portal.ExecuteSqlAsync("UPDATE _database SET state = 'Running', state_message = 'up' WHERE id = @id", ("id", database.Id()));
        var before = await org.Owner.GetObjectAsync($"/api/environment/{environment.Id()}");
        Assert.Equal("RUNNING", before["status"].Text("state"));

        var archived = await (await org.Owner.PostAsync($"/api/environment/{environment.Id()}/archive", null)).ReadJsonAsync(HttpStatusCode.OK, "POST archive");

        Assert.Equal("STOPPED", archived["status"].Text("state"));
        Assert.Equal("STOPPED", (await org.Owner.GetObjectAsync($"/api/application/{application.Id()}"))["status"].Text("state"));
        Assert.Equal("STOPPED", (await org.Owner.GetObjectAsync($"/api/database/{database.Id()}"))["status"].Text("state"));
    }

    [Fact]
    public async Task Archive_ThenCreateApplication_Returns409()
    {
        var org = await OrganizationAsync();
        var environment = await ArchivedEnvironmentAsync(org);

        var response = await org.Owner.PostAsJsonAsync($"/api/environment/{environment.Id}/application", CatalogueSteps.ApplicationBody("late"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict, "POST application in an archived environment");
        Assert.Contains("archived", problem.Text("detail"), StringComparison.OrdinalIgnoreCase);
        var applications = await org.Owner.GetResultsAsync($"/api/environment/{environment.Id}/application");
        Assert.Equal(["web"], applications.Select(a => a.Text("name")));
    }

    [Fact]
    public async Task Archive_ThenUpdateEnvironment_Returns409()
    {
        var org = await OrganizationAsync();
        var environment = await ArchivedEnvironmentAsync(org);

        var response = await org.Owner.PutAsJsonAsync($"/api/environment/{environment.Id}", new { name = $"renamed-{CatalogueSteps.Unique()}", mode = "PRODUCTION" });

        var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict, "PUT an archived environment");
        Assert.Contains("archived", problem.Text("detail"), StringComparison.OrdinalIgnoreCase);
        var after = await org.Owner.GetObjectAsync($"/api/environment/{environment.Id}");
        Assert.Equal(environment.Name, after.Text("name"));
        Assert.Equal("DEVELOPMENT", after.Text("mode"));
    }

    [Fact]
    public async Task Archive_ThenDeleteDatabase_Returns409()
    {
        var org = await OrganizationAsync();
        var environment = await ArchivedEnvironmentAsync(org);

        var response = await org.Owner.DeleteAsync($"/api/database/{environment.DatabaseId}");

        var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict, "DELETE a database of an archived environment");
        Assert.Contains("archived", problem.Text("detail"), StringComparison.OrdinalIgnoreCase);
        await (await org.Owner.GetAsync($"/api/database/{environment.DatabaseId}")).ExpectAsync(HttpStatusCode.OK, "GET the database");
    }

    [Theory]
    [InlineData("PUT application")]
    [InlineData("DELETE application")]
    [InlineData("POST database")]
    [InlineData("PUT database")]
    public async Task Archive_ThenOtherServiceChanges_Return409AndChangeNothing(string change)
    {
        var org = await OrganizationAsync();
        var environment = await ArchivedEnvironmentAsync(org);
        var applicationBefore = await org.Owner.GetObjectAsync($"/api/application/{environment.ApplicationId}");
        var databaseBefore = await org.Owner.GetObjectAsync($"/api/database/{environment.DatabaseId}");

        var response = change switch
        {
            "PUT application" => await org.Owner.PutAsJsonAsync($"/api/application/{environment.ApplicationId}", new { port = 9999 }),
            "DELETE application" => await org.Owner.DeleteAsync($"/api/application/{environment.ApplicationId}"),
            "POST database" => await org.Owner.PostAsJsonAsync($"/api/environment/{environment.Id}/database", new { name = "late", version = "16" }),
            _ => await org.Owner.PutAsJsonAsync($"/api/database/{environment.DatabaseId}", new { storage = 99 }),
        };

        var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict, $"{change} in an archived environment");
        Assert.Contains("archived", problem.Text("detail"), StringComparison.OrdinalIgnoreCase);
        Assert.True(JsonNode.DeepEquals(applicationBefore, await org.Owner.GetObjectAsync($"/api/application/{environment.ApplicationId}")));
        Assert.True(JsonNode.DeepEquals(databaseBefore, await org.Owner.GetObjectAsync($"/api/database/{environment.DatabaseId}")));
        Assert.Single(await org.Owner.GetResultsAsync($"/api/environment/{environment.Id}/database"));
    }

    [Fact]
    public async Task Unarchive_ThenChangesAreAllowedAgain()
    {
        var org = await OrganizationAsync();
        var environment = await ArchivedEnvironmentAsync(org);

        var unarchived = await (await org.Developer.Client.PostAsync($"/api/environment/{environment.Id}/unarchive", null))
            .ReadJsonAsync(HttpStatusCode.OK, "POST unarchive");
        var create = await org.Owner.PostAsJsonAsync($"/api/environment/{environment.Id}/application", CatalogueSteps.ApplicationBody("late"));
        var update = await org.Owner.PutAsJsonAsync($"/api/environment/{environment.Id}", new { mode = "STAGING" });
        var delete = await org.Owner.DeleteAsync($"/api/database/{environment.DatabaseId}");

        Assert.Equal(JsonValueKind.False, unarchived["archived"]!.GetValueKind());
        await create.ExpectAsync(HttpStatusCode.Created, "POST application after unarchive");
        Assert.Equal("STAGING", (await update.ReadJsonAsync(HttpStatusCode.OK, "PUT environment after unarchive")).Text("mode"));
        await delete.ExpectAsync(HttpStatusCode.NoContent, "DELETE database after unarchive");
        var names = await ListNamesAsync(org.Owner, org.ProjectId);
        Assert.Contains(environment.Name, names);
    }

    [Fact]
    public async Task Clone_CopiesApplicationsAndDatabasesWithTheirSettings()
    {
        var org = await OrganizationAsync();
        var source = await org.Owner.CreateEnvironmentAsync(org.ProjectId, $"source-{CatalogueSteps.Unique()}", "STAGING");
        var web = await org.Owner.CreateApplicationAsync(source.Id(), "web");
        var workerBody = CatalogueSteps.ApplicationBody("worker");
        workerBody["port"] = 7000;
        workerBody["build_command"] = null;
        workerBody["auto_deploy"] = false;
        await org.Owner.CreateApplicationAsync(source.Id(), "worker", workerBody);
        // The copy takes the settings as they are now, not as they were created.
        await (await org.Owner.PutAsJsonAsync($"/api/application/{web.Id()}", new { port = 4000, memory = 1024 })).ExpectAsync(HttpStatusCode.OK, "PUT web");
        await org.Owner.CreateDatabaseAsync(source.Id(), "main", version: "16", storage: 20);
        await org.Owner.CreateDatabaseAsync(source.Id(), "analytics", version: "13", storage: 1);
        var name = $"clone-{CatalogueSteps.Unique()}";

        var response = await org.Developer.Client.PostAsJsonAsync($"/api/environment/{source.Id()}/clone", new { name, mode = "PREVIEW" });

        var clone = await response.ReadJsonAsync(HttpStatusCode.Created, "POST clone");
        Assert.EndsWith($"/api/environment/{clone.Id()}", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.NotEqual(source.Id(), clone.Id());
        Assert.Equal(name, clone.Text("name"));
        Assert.Equal("PREVIEW", clone.Text("mode"));
        Assert.Equal(org.ProjectId.ToString(), clone.Text("project_id"));
        Assert.Equal(source.Text("cluster_id"), clone.Text("cluster_id"));
        Assert.Equal(4, clone["total_services"]!.GetValue<int>());
        Assert.Equal(JsonValueKind.False, clone["archived"]!.GetValueKind());

        var sourceApplications = await org.Owner.GetResultsAsync($"/api/environment/{source.Id()}/application");
        var clonedApplications = await org.Owner.GetResultsAsync($"/api/environment/{clone.Id()}/application");
        Assert.Equal(["web", "worker"], clonedApplications.Select(a => a.Text("name")));
        foreach (var copy in clonedApplications.Select(a => a!.AsObject()))
        {
            var original = sourceApplications.Single(a => a.Text("name") == copy.Text("name"))!.AsObject();
            Assert.NotEqual(original.Id(), copy.Id());
            Assert.Equal(clone.Text("id"), copy.Text("environment_id"));
            Assert.Equal(SettingsOf(original), SettingsOf(copy));
        }

        Assert.Equal(4000, clonedApplications[0]!["port"]!.GetValue<int>());
        Assert.Equal(1024, clonedApplications[0]!["memory"]!.GetValue<int>());
        Assert.Null(clonedApplications[1]!["build_command"]);

        var clonedDatabases = await org.Owner.GetResultsAsync($"/api/environment/{clone.Id()}/database");
        Assert.Equal(
            [("analytics", "POSTGRESQL", "13", "CONTAINER", 1), ("main", "POSTGRESQL", "16", "CONTAINER", 20)],
            clonedDatabases.Select(d => (d.Text("name"), d.Text("type"), d.Text("version"), d.Text("mode"), d!["storage"]!.GetValue<int>())));
        Assert.All(clonedDatabases, d => Assert.Equal(clone.Text("id"), d.Text("environment_id")));
        var sourceDatabases = await org.Owner.GetResultsAsync($"/api/environment/{source.Id()}/database");
        Assert.Empty(clonedDatabases.Select(d => d!.AsObject().Id()).Intersect(sourceDatabases.Select(d => d!.AsObject().Id())));

        // The original keeps its own services.
        Assert.Equal(["web", "worker"], sourceApplications.Select(a => a.Text("name")));
        Assert.All(sourceApplications, a => Assert.Equal(source.Text("id"), a.Text("environment_id")));
        Assert.Equal(2, sourceDatabases.Count);
    }

    [Fact]
    public async Task Clone_DoesNotCopyEvents()
    {
        var org = await OrganizationAsync();
        var source = await org.Owner.CreateEnvironmentAsync(org.ProjectId, $"history-{CatalogueSteps.Unique()}");
        var web = await org.Owner.CreateApplicationAsync(source.Id(), "web");
        await (await org.Owner.PutAsJsonAsync($"/api/application/{web.Id()}", new { port = 4001 })).ExpectAsync(HttpStatusCode.OK, "PUT web");
        await org.Owner.CreateDatabaseAsync(source.Id(), "main");
        var sourceEvents = await EventIdsAsync(org.Owner, $"/api/environment/{source.Id()}/event?tail=500");

        var clone = await (await org.Owner.PostAsJsonAsync($"/api/environment/{source.Id()}/clone", new { name = $"fresh-{CatalogueSteps.Unique()}" }))
            .ReadJsonAsync(HttpStatusCode.Created, "POST clone");

        var events = (await org.Owner.GetObjectAsync($"/api/environment/{clone.Id()}/event?tail=500"))["results"]!.AsArray();
        var cloneServices = (await org.Owner.GetResultsAsync($"/api/environment/{clone.Id()}/application"))
            .Concat(await org.Owner.GetResultsAsync($"/api/environment/{clone.Id()}/database"))
            .Select(s => s.Text("id"))
            .Append(clone.Text("id"))
            .ToHashSet();
        Assert.Empty(events.Select(e => e!.AsObject().Id()).Intersect(sourceEvents));
        Assert.All(events, e => Assert.Contains(e!["service"].Text("id"), cloneServices));
        Assert.DoesNotContain(events, e => e!["status"].Text("state") == "UPDATED");
        // The original's own history is all still there, plus the note that it was cloned.
        var after = await EventIdsAsync(org.Owner, $"/api/environment/{source.Id()}/event?tail=500");
        Assert.Equal(sourceEvents, after.Skip(after.Count - sourceEvents.Count));
    }

    [Fact]
    public async Task Clone_IntoAnotherProjectOfTheOrganization_Returns201There()
    {
        var org = await OrganizationAsync();
        var source = await org.Owner.CreateEnvironmentAsync(org.ProjectId, $"moving-{CatalogueSteps.Unique()}");
        await org.Owner.CreateDatabaseAsync(source.Id(), "main");
        var name = $"moved-{CatalogueSteps.Unique()}";

        var response = await org.Owner.PostAsJsonAsync($"/api/environment/{source.Id()}/clone", new { name, mode = "PRODUCTION", project_id = org.OtherProjectId });

        var clone = await response.ReadJsonAsync(HttpStatusCode.Created, "POST clone into another project");
        Assert.Equal(org.OtherProjectId.ToString(), clone.Text("project_id"));
        Assert.Equal("PRODUCTION", clone.Text("mode"));
        Assert.Contains(name, await ListNamesAsync(org.Owner, org.OtherProjectId));
        Assert.Equal(["main"], (await org.Owner.GetResultsAsync($"/api/environment/{clone.Id()}/database")).Select(d => d.Text("name")));
    }

    [Fact]
    public async Task Clone_ToNameTakenInTheTargetProject_Returns409()
    {
        var org = await OrganizationAsync();
        var source = await org.Owner.CreateEnvironmentAsync(org.ProjectId, $"copied-{CatalogueSteps.Unique()}");
        var taken = await org.Owner.CreateEnvironmentAsync(org.OtherProjectId, $"taken-{CatalogueSteps.Unique()}");
        var before = await ListNamesAsync(org.Owner, org.OtherProjectId);

        var sameProject = await org.Owner.PostAsJsonAsync($"/api/environment/{source.Id()}/clone", new { name = source.Text("name") });
        var otherProject = await org.Owner.PostAsJsonAsync(
            $"/api/environment/{source.Id()}/clone", new { name = taken.Text("name"), project_id = org.OtherProjectId });

        await sameProject.AssertProblemAsync(HttpStatusCode.Conflict, "POST clone with the source's own name");
        await otherProject.AssertProblemAsync(HttpStatusCode.Conflict, "POST clone with a name taken in the target project");
        Assert.Equal(before, await ListNamesAsync(org.Owner, org.OtherProjectId));
        Assert.Single(await ListNamesAsync(org.Owner, org.ProjectId), n => n == source.Text("name"));
    }

    [Fact]
    public async Task Clone_WithoutName_Returns400()
    {
        var org = await OrganizationAsync();
        var source = await org.Owner.CreateEnvironmentAsync(org.ProjectId, $"unnamed-{CatalogueSteps.Unique()}");

        var response = await org.Owner.PostAsJsonAsync($"/api/environment/{source.Id()}/clone", new { mode = "DEVELOPMENT" });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "POST clone without a name");
        Assert.Equal(["name"], problem.ErrorFields());
    }

    [Theory]
    [InlineData("of a stranger")]
    [InlineData("of the caller's other organization")]
    public async Task Clone_IntoProjectOfAnotherOrganization_Returns404AndCreatesNothingThere(string whose)
    {
        var org = await OrganizationAsync();
        var source = await org.Owner.CreateEnvironmentAsync(org.ProjectId, $"leaving-{CatalogueSteps.Unique()}");
        await org.Owner.CreateApplicationAsync(source.Id(), "web");
        var (targetOwner, targetProject) = whose == "of a stranger" ? (org.Stranger, org.StrangersProjectId) : (org.Owner, org.OwnersOtherOrganizationProjectId);

        var response = await org.Owner.PostAsJsonAsync(
            $"/api/environment/{source.Id()}/clone", new { name = $"escaped-{CatalogueSteps.Unique()}", project_id = targetProject });

        await response.AssertProblemAsync(HttpStatusCode.NotFound, $"POST clone into a project {whose}");
        Assert.Empty(await targetOwner.GetResultsAsync($"/api/project/{targetProject}/environment"));
        Assert.Empty(await targetOwner.GetResultsAsync($"/api/project/{targetProject}/environment?archived=true"));
    }

    private static Dictionary<string, string> SettingsOf(JsonObject application) =>
        ApplicationSettingFields.ToDictionary(f => f, f => application[f]?.ToJsonString() ?? "null");

    private static async Task<List<Guid>> EventIdsAsync(HttpClient client, string path) =>
        (await client.GetObjectAsync(path))["results"]!.AsArray().Select(e => e!.AsObject().Id()).ToList();

    private static async Task Archive(HttpClient client, Guid environmentId) =>
        await (await client.PostAsync($"/api/environment/{environmentId}/archive", null)).ExpectAsync(HttpStatusCode.OK, "POST archive");

    /// <summary>The names listed in the project: archived ones, the others (default), or both (null).</summary>
    private static async Task<List<string?>> ListNamesAsync(HttpClient client, Guid projectId, bool? archived = false)
    {
        var names = new List<string?>();
        foreach (var flag in archived is { } only ? [only] : new[] { false, true })
        {
            names.AddRange((await client.GetResultsAsync($"/api/project/{projectId}/environment?archived={(flag ? "true" : "false")}")).Select(e => e.Text("name")));
        }

        return names;
    }

    /// <summary>An archived environment holding one application ("web") and one database ("main").</summary>
    private static async Task<(Guid Id, string Name, Guid ApplicationId, Guid DatabaseId)> ArchivedEnvironmentAsync(EnvironmentOrganization org)
    {
        var environment = await org.Owner.CreateEnvironmentAsync(org.ProjectId, $"frozen-{CatalogueSteps.Unique()}");
        var application = await org.Owner.CreateApplicationAsync(environment.Id(), "web");
        var database = await org.Owner.CreateDatabaseAsync(environment.Id(), "main");
        await Archive(org.Owner, environment.Id());
        return (environment.Id(), environment.Text("name")!, application.Id(), database.Id());
    }

    private Task<EnvironmentOrganization> OrganizationAsync() => portal.SharedAsync(EnvironmentOrganization.CreateAsync);

    /// <summary>
    /// An organization with two projects, a DEVELOPER and a VIEWER (as members and as tokens); a second
    /// organization of the same owner and one of a stranger, each with a project.
    /// </summary>
    private sealed class EnvironmentOrganization
    {
        public required Guid Id { get; init; }

        public required HttpClient Owner { get; init; }

        public required RoleTeam Team { get; init; }

        public required Guid OwnerId { get; init; }

        public ApiMember Developer => Team.Member("DEVELOPER");

        public ApiMember Viewer => Team.Member("VIEWER");

        public HttpClient DeveloperToken => Team.Token("DEVELOPER");

        public HttpClient ViewerToken => Team.Token("VIEWER");

        public required Guid ProjectId { get; init; }

        public required Guid OtherProjectId { get; init; }

        public required Guid OwnersOtherOrganizationProjectId { get; init; }

        public required HttpClient Stranger { get; init; }

        public required Guid StrangersProjectId { get; init; }

        public HttpClient Caller(string name) => Team.Caller(name);

        public static async Task<EnvironmentOrganization> CreateAsync(PortalFactory portal)
        {
            var (owner, _) = await portal.CreateUserClientAsync();
            var id = await owner.CreateOrganizationAsync($"Environments {CatalogueSteps.Unique()}");
            var second = await owner.CreateOrganizationAsync($"Second {CatalogueSteps.Unique()}");
            var (stranger, _) = await portal.CreateUserClientAsync();
            var strangers = await stranger.CreateOrganizationAsync($"Stranger {CatalogueSteps.Unique()}");
            return new EnvironmentOrganization
            {
                Id = id,
                Owner = owner,
                OwnerId = await owner.GetUserIdAsync(),
                Team = await RoleTeam.CreateAsync(portal, owner, id, "DEVELOPER", "VIEWER"),
                ProjectId = (await owner.CreateProjectAsync(id, "main")).Id(),
                OtherProjectId = (await owner.CreateProjectAsync(id, "other")).Id(),
                OwnersOtherOrganizationProjectId = (await owner.CreateProjectAsync(second, "elsewhere")).Id(),
                Stranger = stranger,
                StrangersProjectId = (await stranger.CreateProjectAsync(strangers, "theirs")).Id(),
            };
        }
    }
}
