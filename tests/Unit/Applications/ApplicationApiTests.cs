using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Tests.Support;

namespace Platform.Tests.Applications;

/// <summary>
/// GET|POST /environment/{id}/application and GET|PUT|DELETE /application/{id}: the settings of PRODUCT.md
/// section 6 echoed back, a 400 naming every bad field by its JSON path, PUT keeping what it leaves out, service
/// names unique in an environment across applications and databases, and VIEWER refused.
/// </summary>
public sealed class ApplicationApiTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private static readonly string[] ApplicationFields =
    [
        "auto_deploy", "build_command", "cpu", "created_at", "environment_id", "flag_details", "flags", "git_repository", "healthchecks", "id",
        "max_running_instances", "memory", "metric_thresholds", "min_running_instances", "name", "port", "repository_check", "start_command", "status",
        "storage", "updated_at", "url",
    ];

    [Fact]
    public async Task Create_WithEveryField_Returns201EchoingThem()
    {
        var env = await EnvironmentAsync();
        var body = CatalogueSteps.ApplicationBody("echo");

        var response = await env.Owner.PostAsJsonAsync($"/api/environment/{env.Id}/application", body);

        var application = await response.ReadJsonAsync(HttpStatusCode.Created, "POST application");
        Assert.EndsWith($"/api/application/{application.Id()}", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(ApplicationFields, application.Select(p => p.Key).Order(StringComparer.Ordinal));
        foreach (var (field, value) in body)
        {
            Assert.True(JsonNode.DeepEquals(value, application[field]) || field == "healthchecks", $"{field}: sent {value?.ToJsonString()}, got {application[field]?.ToJsonString()}");
        }

        AssertProbe(body["healthchecks"]!["readiness_probe"]!.AsObject(), application["healthchecks"]!["readiness_probe"]!.AsObject());
        AssertProbe(body["healthchecks"]!["liveness_probe"]!.AsObject(), application["healthchecks"]!["liveness_probe"]!.AsObject());
        Assert.Equal(env.Id.ToString(), application.Text("environment_id"));
        Assert.Equal(JsonValueKind.Array, application["flags"]!.GetValueKind());
        Assert.Empty(application["flags"]!.AsArray());
        Assert.Equal(JsonValueKind.Null, application["url"]?.GetValueKind() ?? JsonValueKind.Null);
        Assert.True(application.ContainsKey("url"));
        Assert.Equal(["message", "simple_state", "state"], application["status"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("STOPPED", application["status"].Text("state"));
        Assert.Equal("OK", application["status"].Text("simple_state"));
    }

    [Fact]
    public async Task GetAndList_AnswerWhatCreateAnswered()
    {
        var env = await EnvironmentAsync();
        var created = await env.Owner.CreateApplicationAsync(env.Id, "listed");

        var got = await env.Viewer.Client.GetObjectAsync($"/api/application/{created.Id()}");
        var listed = (await env.Viewer.Client.GetResultsAsync($"/api/environment/{env.Id}/application"))
            .Single(a => a!.AsObject().Id() == created.Id());

        Assert.True(JsonNode.DeepEquals(created, got), $"GET answered {got}, POST {created}");
        Assert.True(JsonNode.DeepEquals(created, listed), $"the list answered {listed}, POST {created}");
    }

    [Fact]
    public async Task Create_WithSeveralInvalidFields_Returns400NamingEachAndCreatesNothing()
    {
        var env = await EnvironmentAsync();
        var body = CatalogueSteps.ApplicationBody("-starts-with-dash");
        body["port"] = 0;
        body["memory"] = 1;
        body["min_running_instances"] = 3;
        body["max_running_instances"] = 2;
        body["git_repository"]!["url"] = "";
        body["healthchecks"]!["readiness_probe"]!["path"] = "health";
        var before = await env.Owner.GetResultsAsync($"/api/environment/{env.Id}/application");

        var response = await env.Owner.PostAsJsonAsync($"/api/environment/{env.Id}/application", body);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "POST application with six bad fields");
        Assert.Equal(
            ["git_repository.url", "healthchecks.readiness_probe.path", "max_running_instances", "memory", "name", "port"],
            problem.ErrorFields());
        Assert.All(problem["errors"]!.AsObject(), e => Assert.False(string.IsNullOrWhiteSpace(e.Value![0]!.GetValue<string>())));
        Assert.Equal(before.Count, (await env.Owner.GetResultsAsync($"/api/environment/{env.Id}/application")).Count);
    }

    [Theory]
    [InlineData("port", "0", "port")]
    [InlineData("port", "65536", "port")]
    [InlineData("memory", "15", "memory")]
    [InlineData("cpu", "0", "cpu")]
    [InlineData("max_running_instances", "0", "max_running_instances")]
    [InlineData("max_running_instances", "1", "max_running_instances")]
    [InlineData("min_running_instances", "-1", "min_running_instances")]
    [InlineData("start_command", "\"\"", "start_command")]
    [InlineData("git_repository", """{"url": ""}""", "git_repository.url")]
    [InlineData("git_repository", """{"root_path": "../outside"}""", "git_repository.root_path")]
    [InlineData("git_repository", """{"branch": "has space"}""", "git_repository.branch")]
    [InlineData("healthchecks", """{"readiness_probe": {"type": "HTTP", "path": "health"}}""", "healthchecks.readiness_probe.path")]
    [InlineData("healthchecks", """{"liveness_probe": {"type": "HTTP", "path": "health"}}""", "healthchecks.liveness_probe.path")]
    [InlineData("healthchecks", """{"liveness_probe": {"type": "COMMAND", "command": ""}}""", "healthchecks.liveness_probe.command")]
    [InlineData("healthchecks", """{"readiness_probe": {"type": "TCP", "period_seconds": 0}}""", "healthchecks.readiness_probe.period_seconds")]
    public async Task Create_WithOneInvalidField_Returns400NamingIt(string field, string json, string error)
    {
        var env = await EnvironmentAsync();
        var body = CatalogueSteps.ApplicationBody($"bad-{CatalogueSteps.Unique()}");
        var value = JsonNode.Parse(json);
        if (value is JsonObject part && body[field] is JsonObject whole)
        {
            // Change only the named part of a nested object, keeping the rest of the valid body.
            foreach (var (key, inner) in part.ToList())
            {
                if (inner is JsonObject probe && whole[key] is JsonObject existing)
                {
                    foreach (var (probeKey, probeValue) in probe.ToList())
                    {
                        existing[probeKey] = probeValue?.DeepClone();
                    }
                }
                else
                {
                    whole[key] = inner?.DeepClone();
                }
            }
        }
        else
        {
            body[field] = value;
        }

        var response = await env.Owner.PostAsJsonAsync($"/api/environment/{env.Id}/application", body);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, $"POST application with {field} = {json}");
        Assert.Equal([error], problem.ErrorFields());
    }

    [Theory]
    [InlineData("")]
    [InlineData("-web")]
    [InlineData("_web")]
    [InlineData("web app")]
    [InlineData("web.app")]
    [InlineData("wéb")]
    [InlineData("web/")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890123")]
    public async Task Create_WithNameOutsideThePattern_Returns400NamingName(string name)
    {
        var env = await EnvironmentAsync();

        var response = await env.Owner.PostAsJsonAsync($"/api/environment/{env.Id}/application", CatalogueSteps.ApplicationBody(name));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, $"POST application named \"{name}\"");
        Assert.Equal(["name"], problem.ErrorFields());
    }

    [Theory]
    [InlineData("a")]
    [InlineData("9")]
    [InlineData("Web_App-2")]
    [InlineData("a12345678901234567890123456789012345678901234567890123456789012")]
    public async Task Create_WithNameInThePattern_Returns201(string name)
    {
        var env = await EnvironmentAsync();

        var created = await env.Owner.CreateApplicationAsync(env.Id, name);

        Assert.Equal(name, created.Text("name"));
    }

    [Fact]
    public async Task Create_WithUnknownProbeType_Returns400()
    {
        var env = await EnvironmentAsync();
        var body = CatalogueSteps.ApplicationBody($"probe-{CatalogueSteps.Unique()}");
        body["healthchecks"]!["readiness_probe"]!["type"] = "UDP";

        var response = await env.Owner.PostAsJsonAsync($"/api/environment/{env.Id}/application", body);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "POST application with probe type UDP");
    }

    [Fact]
    public async Task Update_WithSomeFields_KeepsTheOthers()
    {
        var env = await EnvironmentAsync();
        var created = await env.Owner.CreateApplicationAsync(env.Id, $"partial-{CatalogueSteps.Unique()}");

        var response = await env.Developer.Client.PutAsJsonAsync($"/api/application/{created.Id()}", new
        {
            port = 9090,
            git_repository = new { branch = "develop" },
            healthchecks = new { readiness_probe = new { period_seconds = 7 } },
        });

        var updated = await response.ReadJsonAsync(HttpStatusCode.OK, "PUT application with three fields");
        var expected = created.DeepClone().AsObject();
        expected["port"] = 9090;
        expected["git_repository"]!["branch"] = "develop";
        expected["healthchecks"]!["readiness_probe"]!["period_seconds"] = 7;
        expected["updated_at"] = updated["updated_at"]?.DeepClone();
        Assert.True(JsonNode.DeepEquals(expected, updated), $"expected\n{expected}\ngot\n{updated}");
        var got = await env.Owner.GetObjectAsync($"/api/application/{created.Id()}");
        Assert.True(JsonNode.DeepEquals(updated, got), $"PUT answered {updated}, GET {got}");
    }

    [Fact]
    public async Task Update_WithEmptyBody_ChangesNoSetting()
    {
        var env = await EnvironmentAsync();
        var created = await env.Owner.CreateApplicationAsync(env.Id, $"empty-{CatalogueSteps.Unique()}");

        var updated = await (await env.Owner.PutAsJsonAsync($"/api/application/{created.Id()}", new { }))
            .ReadJsonAsync(HttpStatusCode.OK, "PUT application with {}");

        foreach (var field in new[] { "name", "git_repository", "build_command", "start_command", "port", "cpu", "memory", "min_running_instances", "max_running_instances", "auto_deploy", "healthchecks" })
        {
            Assert.True(JsonNode.DeepEquals(created[field], updated[field]), $"{field}: was {created[field]?.ToJsonString()}, now {updated[field]?.ToJsonString()}");
        }
    }

    [Fact]
    public async Task Update_MakingMinAboveMax_Returns400AndKeepsTheApplication()
    {
        var env = await EnvironmentAsync();
        var created = await env.Owner.CreateApplicationAsync(env.Id, $"bounds-{CatalogueSteps.Unique()}");

        var response = await env.Owner.PutAsJsonAsync($"/api/application/{created.Id()}", new { min_running_instances = 5, port = 70000 });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "PUT application with min 5 > max 4 and port 70000");
        Assert.Equal(["max_running_instances", "port"], problem.ErrorFields());
        var got = await env.Owner.GetObjectAsync($"/api/application/{created.Id()}");
        Assert.True(JsonNode.DeepEquals(created, got), $"was {created}, now {got}");
    }

    [Fact]
    public async Task Delete_RemovesTheApplication()
    {
        var env = await EnvironmentAsync();
        var created = await env.Owner.CreateApplicationAsync(env.Id, $"gone-{CatalogueSteps.Unique()}");

        var response = await env.Developer.Client.DeleteAsync($"/api/application/{created.Id()}");

        await response.ExpectAsync(HttpStatusCode.NoContent, "DELETE application");
        await (await env.Owner.GetAsync($"/api/application/{created.Id()}")).AssertProblemAsync(HttpStatusCode.NotFound, "GET the deleted application");
        Assert.DoesNotContain(await env.Owner.GetResultsAsync($"/api/environment/{env.Id}/application"), a => a!.AsObject().Id() == created.Id());
        await (await env.Owner.DeleteAsync($"/api/application/{created.Id()}")).AssertProblemAsync(HttpStatusCode.NotFound, "DELETE it again");
    }

    [Fact]
    public async Task Create_WithNameOfAnApplication_Returns409()
    {
        var env = await EnvironmentAsync();
        var name = $"dup-{CatalogueSteps.Unique()}";
        await env.Owner.CreateApplicationAsync(env.Id, name);

        var response = await env.Owner.PostAsJsonAsync($"/api/environment/{env.Id}/application", CatalogueSteps.ApplicationBody(name));

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "POST application with a taken name");
        Assert.Single(await env.Owner.GetResultsAsync($"/api/environment/{env.Id}/application"), a => a.Text("name") == name);
    }

    [Fact]
    public async Task Create_WithNameOfADatabase_Returns409()
    {
        var env = await EnvironmentAsync();
        var name = $"shared-{CatalogueSteps.Unique()}";
        await env.Owner.CreateDatabaseAsync(env.Id, name);

        var response = await env.Owner.PostAsJsonAsync($"/api/environment/{env.Id}/application", CatalogueSteps.ApplicationBody(name));

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "POST application named like a database");
        Assert.DoesNotContain(await env.Owner.GetResultsAsync($"/api/environment/{env.Id}/application"), a => a.Text("name") == name);
    }

    [Fact]
    public async Task CreateDatabase_WithNameOfAnApplication_Returns409()
    {
        var env = await EnvironmentAsync();
        var name = $"shared-{CatalogueSteps.Unique()}";
        await env.Owner.CreateApplicationAsync(env.Id, name);

        var response = await env.Owner.PostAsJsonAsync($"/api/environment/{env.Id}/database", new { name, version = "15" });

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "POST database named like an application");
        Assert.DoesNotContain(await env.Owner.GetResultsAsync($"/api/environment/{env.Id}/database"), d => d.Text("name") == name);
    }

    [Fact]
    public async Task Update_RenamingToADatabasesName_Returns409()
    {
        var env = await EnvironmentAsync();
        var database = await env.Owner.CreateDatabaseAsync(env.Id, $"db-{CatalogueSteps.Unique()}");
        var application = await env.Owner.CreateApplicationAsync(env.Id, $"app-{CatalogueSteps.Unique()}");

        var response = await env.Owner.PutAsJsonAsync($"/api/application/{application.Id()}", new { name = database.Text("name") });

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "PUT application to a database's name");
        Assert.Equal(application.Text("name"), (await env.Owner.GetObjectAsync($"/api/application/{application.Id()}")).Text("name"));
    }

    [Fact]
    public async Task CreateApplicationsAndDatabases_SameNameConcurrently_Returns201OnceAnd409ForTheRest()
    {
        var env = await EnvironmentAsync();
        for (var round = 0; round < 3; round++)
        {
            var name = $"raced-{CatalogueSteps.Unique()}";

            var statuses = await CatalogueSteps.ConcurrentlyAsync(8, i => i % 2 == 0
                ? env.Owner.PostAsJsonAsync($"/api/environment/{env.Id}/application", CatalogueSteps.ApplicationBody(name))
                : env.Owner.PostAsJsonAsync($"/api/environment/{env.Id}/database", new { name, version = "15" }));

            var services = (await env.Owner.GetResultsAsync($"/api/environment/{env.Id}/application"))
                .Concat(await env.Owner.GetResultsAsync($"/api/environment/{env.Id}/database"))
                .Count(s => s.Text("name") == name);
            Assert.True(
                statuses.Count(s => s == 201) == 1 && statuses.All(s => s is 201 or 409) && services == 1,
                $"4 application and 4 database POSTs of \"{name}\" at once answered {string.Join(", ", statuses)}; {services} services have the name");
        }
    }

    [Fact]
    public async Task Create_WithNameOfAServiceInAnotherEnvironment_Returns201()
    {
        var env = await EnvironmentAsync();
        var name = $"elsewhere-{CatalogueSteps.Unique()}";
        await env.Owner.CreateApplicationAsync(env.Id, name);
        await env.Owner.CreateDatabaseAsync(env.Id, $"{name}-db");
        var other = await env.Owner.CreateEnvironmentAsync(env.ProjectId, $"other-{CatalogueSteps.Unique()}");

        var application = await env.Owner.CreateApplicationAsync(other.Id(), name);
        var named = await env.Owner.CreateApplicationAsync(other.Id(), $"{name}-db");

        Assert.Equal(other.Text("id"), application.Text("environment_id"));
        Assert.Equal(other.Text("id"), named.Text("environment_id"));
    }

    [Theory]
    [InlineData("VIEWER member")]
    [InlineData("VIEWER token")]
    public async Task Create_AsViewer_Returns403AndCreatesNothing(string caller)
    {
        var env = await EnvironmentAsync();
        var name = $"refused-{CatalogueSteps.Unique()}";

        var response = await env.Caller(caller).PostAsJsonAsync($"/api/environment/{env.Id}/application", CatalogueSteps.ApplicationBody(name));

        await response.AssertProblemAsync(HttpStatusCode.Forbidden, $"POST application as {caller}");
        Assert.DoesNotContain(await env.Owner.GetResultsAsync($"/api/environment/{env.Id}/application"), a => a.Text("name") == name);
    }

    [Theory]
    [InlineData("VIEWER member")]
    [InlineData("VIEWER token")]
    public async Task UpdateAndDelete_AsViewer_Return403AndChangeNothing(string caller)
    {
        var env = await EnvironmentAsync();
        var created = await env.Owner.CreateApplicationAsync(env.Id, $"guarded-{CatalogueSteps.Unique()}");

        var update = await env.Caller(caller).PutAsJsonAsync($"/api/application/{created.Id()}", new { port = 1234 });
        var delete = await env.Caller(caller).DeleteAsync($"/api/application/{created.Id()}");

        await update.AssertProblemAsync(HttpStatusCode.Forbidden, $"PUT application as {caller}");
        await delete.AssertProblemAsync(HttpStatusCode.Forbidden, $"DELETE application as {caller}");
        var got = await env.Owner.GetObjectAsync($"/api/application/{created.Id()}");
        Assert.True(JsonNode.DeepEquals(created, got), $"was {created}, now {got}");
    }

    [Theory]
    [InlineData("DEVELOPER member")]
    [InlineData("DEVELOPER token")]
    public async Task Create_AsDeveloper_Returns201(string caller)
    {
        var env = await EnvironmentAsync();

        var response = await env.Caller(caller).PostAsJsonAsync(
            $"/api/environment/{env.Id}/application", CatalogueSteps.ApplicationBody($"dev-{CatalogueSteps.Unique()}"));

        await response.ExpectAsync(HttpStatusCode.Created, $"POST application as {caller}");
    }

    [Fact]
    public async Task Create_InUnknownEnvironment_Returns404()
    {
        var env = await EnvironmentAsync();

        var response = await env.Owner.PostAsJsonAsync($"/api/environment/{Guid.CreateVersion7()}/application", CatalogueSteps.ApplicationBody("lost"));

        await response.AssertProblemAsync(HttpStatusCode.NotFound, "POST application in an unknown environment");
    }

    private static void AssertProbe(JsonObject sent, JsonObject answered)
    {
        foreach (var (field, value) in sent)
        {
            Assert.True(JsonNode.DeepEquals(value, answered[field]), $"probe {field}: sent {value?.ToJsonString()}, got {answered[field]?.ToJsonString()}");
        }
    }

    private Task<ApplicationEnvironment> EnvironmentAsync() => portal.SharedAsync(ApplicationEnvironment.CreateAsync);

    /// <summary>One environment the tests add applications to, with its owner, a DEVELOPER and a VIEWER (members and tokens).</summary>
    private sealed class ApplicationEnvironment
    {
        public required Guid Id { get; init; }

        public required Guid ProjectId { get; init; }

        public required HttpClient Owner { get; init; }

        public required RoleTeam Team { get; init; }

        public ApiMember Developer => Team.Member("DEVELOPER");

        public ApiMember Viewer => Team.Member("VIEWER");

        public HttpClient DeveloperToken => Team.Token("DEVELOPER");

        public HttpClient ViewerToken => Team.Token("VIEWER");

        public HttpClient Caller(string name) => Team.Caller(name);

        public static async Task<ApplicationEnvironment> CreateAsync(PortalFactory portal)
        {
            var (owner, _) = await portal.CreateUserClientAsync();
            var organization = await owner.CreateOrganizationAsync($"Applications {CatalogueSteps.Unique()}");
            var project = await owner.CreateProjectAsync(organization, "apps");
            var environment = await owner.CreateEnvironmentAsync(project.Id(), "dev");
            return new ApplicationEnvironment
            {
                Id = environment.Id(),
                ProjectId = project.Id(),
                Owner = owner,
                Team = await RoleTeam.CreateAsync(portal, owner, organization, "DEVELOPER", "VIEWER"),
            };
        }
    }
}
