using System.Net;
using System.Net.Http.Json;
using Platform.Tests.Support;

namespace Platform.Tests.Projects;

/// <summary>
/// GET|POST /organization/{id}/project and GET|PUT|DELETE /project/{id}: names unique per organization, only
/// ADMIN and OWNER create, change or delete them, and a deleted project takes its environments with it.
/// </summary>
public sealed class ProjectApiTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Create_AsOwner_Returns201WithTheProject()
    {
        var org = await OrganizationAsync();
        var name = $"shop-{CatalogueSteps.Unique()}";

        var response = await org.Owner.PostAsJsonAsync($"/api/organization/{org.Id}/project", new { name, description = "  The web shop  " });

        var project = await response.ReadJsonAsync(HttpStatusCode.Created, "POST project");
        Assert.Equal(name, project.Text("name"));
        Assert.Equal("The web shop", project.Text("description"));
        Assert.Equal(org.Id.ToString(), project.Text("organization_id"));
        Assert.Equal(0, project["total_environments"]!.GetValue<int>());
        Assert.EndsWith($"/api/project/{project.Id()}", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", project.Text("created_at"));
    }

    [Fact]
    public async Task Create_AsAdminMemberAndAdminToken_Returns201()
    {
        var org = await OrganizationAsync();

        var byMember = await org.Admin.Client.PostAsJsonAsync($"/api/organization/{org.Id}/project", new { name = $"by-admin-{CatalogueSteps.Unique()}" });
        var byToken = await org.AdminToken.PostAsJsonAsync($"/api/organization/{org.Id}/project", new { name = $"by-token-{CatalogueSteps.Unique()}" });

        await byMember.ExpectAsync(HttpStatusCode.Created, "POST project as ADMIN");
        await byToken.ExpectAsync(HttpStatusCode.Created, "POST project as ADMIN token");
    }

    [Theory]
    [InlineData("DEVELOPER member")]
    [InlineData("DEVELOPER token")]
    [InlineData("VIEWER member")]
    public async Task Create_AsDeveloperOrViewer_Returns403AndCreatesNothing(string caller)
    {
        var org = await OrganizationAsync();
        var name = $"refused-{CatalogueSteps.Unique()}";

        var response = await org.Caller(caller).PostAsJsonAsync($"/api/organization/{org.Id}/project", new { name });

        await response.AssertProblemAsync(HttpStatusCode.Forbidden, $"POST project as {caller}");
        var projects = await org.Owner.GetResultsAsync($"/api/organization/{org.Id}/project");
        Assert.DoesNotContain(projects, p => p.Text("name") == name);
    }

    [Theory]
    [InlineData("DEVELOPER member")]
    [InlineData("DEVELOPER token")]
    public async Task UpdateAndDelete_AsDeveloper_Return403AndLeaveTheProject(string caller)
    {
        var org = await OrganizationAsync();
        var name = $"kept-{CatalogueSteps.Unique()}";
        var project = await org.Owner.CreateProjectAsync(org.Id, name, "as it was");
        var path = $"/api/project/{project.Id()}";

        var update = await org.Caller(caller).PutAsJsonAsync(path, new { name = "renamed", description = "changed" });
        var delete = await org.Caller(caller).DeleteAsync(path);

        await update.AssertProblemAsync(HttpStatusCode.Forbidden, $"PUT project as {caller}");
        await delete.AssertProblemAsync(HttpStatusCode.Forbidden, $"DELETE project as {caller}");
        var after = await org.Owner.GetObjectAsync(path);
        Assert.Equal(name, after.Text("name"));
        Assert.Equal("as it was", after.Text("description"));
    }

    [Fact]
    public async Task Create_WithNameOfAnotherProject_Returns409()
    {
        var org = await OrganizationAsync();
        var name = $"twice-{CatalogueSteps.Unique()}";
        await org.Owner.CreateProjectAsync(org.Id, name);

        var response = await org.Owner.PostAsJsonAsync($"/api/organization/{org.Id}/project", new { name });

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "POST project with a taken name");
        var projects = await org.Owner.GetResultsAsync($"/api/organization/{org.Id}/project");
        Assert.Single(projects, p => p.Text("name") == name);
    }

    [Fact]
    public async Task Create_SameNameConcurrently_Returns201OnceAnd409ForTheRest()
    {
        var org = await OrganizationAsync();
        for (var round = 0; round < 3; round++)
        {
            var name = $"raced-{CatalogueSteps.Unique()}";

            var statuses = await CatalogueSteps.ConcurrentlyAsync(8, _ => org.Owner.PostAsJsonAsync($"/api/organization/{org.Id}/project", new { name }));

            Assert.True(statuses.Count(s => s == 201) == 1 && statuses.All(s => s is 201 or 409), $"8 POSTs of \"{name}\" at once answered {string.Join(", ", statuses)}");
            Assert.Single(await org.Owner.GetResultsAsync($"/api/organization/{org.Id}/project"), p => p.Text("name") == name);
        }
    }

    [Fact]
    public async Task Create_WithNameOfAProjectInAnotherOrganization_Returns201()
    {
        var org = await OrganizationAsync();
        var name = $"everywhere-{CatalogueSteps.Unique()}";
        await org.Owner.CreateProjectAsync(org.Id, name);
        var other = await org.Owner.CreateOrganizationAsync($"Other {CatalogueSteps.Unique()}");

        var response = await org.Owner.PostAsJsonAsync($"/api/organization/{other}/project", new { name });

        await response.ExpectAsync(HttpStatusCode.Created, "POST project in a second organization");
    }

    [Fact]
    public async Task Create_WithoutName_Returns400NamingTheField()
    {
        var org = await OrganizationAsync();

        var response = await org.Owner.PostAsJsonAsync($"/api/organization/{org.Id}/project", new { name = "   ", description = "no name" });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "POST project without a name");
        Assert.Equal(["name"], problem.ErrorFields());
    }

    [Fact]
    public async Task ListAndGet_ShowTheProjectWithItsEnvironmentCount()
    {
        var org = await OrganizationAsync();
        var project = await org.Owner.CreateProjectAsync(org.Id, $"counted-{CatalogueSteps.Unique()}", "two environments");
        await org.Owner.CreateEnvironmentAsync(project.Id(), "dev");
        await org.Owner.CreateEnvironmentAsync(project.Id(), "prod", "PRODUCTION");

        var listed = (await org.Viewer.Client.GetResultsAsync($"/api/organization/{org.Id}/project"))
            .Single(p => p!.AsObject().Id() == project.Id())!.AsObject();
        var got = await org.Viewer.Client.GetObjectAsync($"/api/project/{project.Id()}");

        Assert.Equal(2, listed["total_environments"]!.GetValue<int>());
        Assert.Equal(2, got["total_environments"]!.GetValue<int>());
        Assert.Equal(project.Text("name"), got.Text("name"));
        Assert.Equal("two environments", got.Text("description"));
    }

    [Fact]
    public async Task Update_AsOwner_RenamesAndDescribes()
    {
        var org = await OrganizationAsync();
        var project = await org.Owner.CreateProjectAsync(org.Id, $"old-{CatalogueSteps.Unique()}", "old");
        var name = $"new-{CatalogueSteps.Unique()}";

        var response = await org.Owner.PutAsJsonAsync($"/api/project/{project.Id()}", new { name, description = "new" });

        var updated = await response.ReadJsonAsync(HttpStatusCode.OK, "PUT project");
        Assert.Equal(name, updated.Text("name"));
        Assert.Equal("new", updated.Text("description"));
        var got = await org.Owner.GetObjectAsync($"/api/project/{project.Id()}");
        Assert.Equal(name, got.Text("name"));
    }

    [Fact]
    public async Task Update_ToNameOfAnotherProject_Returns409AndKeepsTheName()
    {
        var org = await OrganizationAsync();
        var taken = await org.Owner.CreateProjectAsync(org.Id, $"taken-{CatalogueSteps.Unique()}");
        var project = await org.Owner.CreateProjectAsync(org.Id, $"mine-{CatalogueSteps.Unique()}");

        var response = await org.Owner.PutAsJsonAsync($"/api/project/{project.Id()}", new { name = taken.Text("name") });

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "PUT project to a taken name");
        Assert.Equal(project.Text("name"), (await org.Owner.GetObjectAsync($"/api/project/{project.Id()}")).Text("name"));
    }

    [Fact]
    public async Task Update_KeepingItsOwnName_Returns200()
    {
        var org = await OrganizationAsync();
        var project = await org.Owner.CreateProjectAsync(org.Id, $"same-{CatalogueSteps.Unique()}");

        var response = await org.Owner.PutAsJsonAsync($"/api/project/{project.Id()}", new { name = project.Text("name"), description = "only this" });

        Assert.Equal("only this", (await response.ReadJsonAsync(HttpStatusCode.OK, "PUT project, same name")).Text("description"));
    }

    [Fact]
    public async Task Delete_AsAdmin_RemovesTheProjectAndItsEnvironments()
    {
        var org = await OrganizationAsync();
        var project = await org.Owner.CreateProjectAsync(org.Id, $"doomed-{CatalogueSteps.Unique()}");
        var environment = await org.Owner.CreateEnvironmentAsync(project.Id(), "dev");
        var application = await org.Owner.CreateApplicationAsync(environment.Id(), "web");

        var response = await org.Admin.Client.DeleteAsync($"/api/project/{project.Id()}");

        await response.ExpectAsync(HttpStatusCode.NoContent, "DELETE project");
        await (await org.Owner.GetAsync($"/api/project/{project.Id()}")).AssertProblemAsync(HttpStatusCode.NotFound, "GET deleted project");
        await (await org.Owner.GetAsync($"/api/environment/{environment.Id()}")).AssertProblemAsync(HttpStatusCode.NotFound, "GET its environment");
        await (await org.Owner.GetAsync($"/api/application/{application.Id()}")).AssertProblemAsync(HttpStatusCode.NotFound, "GET its application");
        var projects = await org.Owner.GetResultsAsync($"/api/organization/{org.Id}/project");
        Assert.DoesNotContain(projects, p => p!.AsObject().Id() == project.Id());
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task UnknownProject_Returns404(string method)
    {
        var org = await OrganizationAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), $"/api/project/{Guid.CreateVersion7()}");
        if (method == "PUT")
        {
            request.Content = JsonContent.Create(new { name = "ghost" });
        }

        var response = await org.Owner.SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.NotFound, $"{method} an unknown project");
    }

    private Task<ProjectOrganization> OrganizationAsync() => portal.SharedAsync(ProjectOrganization.CreateAsync);

    /// <summary>An organization with its owner, and an ADMIN, a DEVELOPER and a VIEWER as members and as tokens.</summary>
    private sealed class ProjectOrganization
    {
        public required Guid Id { get; init; }

        public required HttpClient Owner { get; init; }

        public required RoleTeam Team { get; init; }

        public ApiMember Admin => Team.Member("ADMIN");

        public ApiMember Developer => Team.Member("DEVELOPER");

        public ApiMember Viewer => Team.Member("VIEWER");

        public HttpClient AdminToken => Team.Token("ADMIN");

        public HttpClient DeveloperToken => Team.Token("DEVELOPER");

        public HttpClient Caller(string name) => Team.Caller(name);

        public static async Task<ProjectOrganization> CreateAsync(PortalFactory portal)
        {
            var (owner, _) = await portal.CreateUserClientAsync();
            var id = await owner.CreateOrganizationAsync($"Projects {CatalogueSteps.Unique()}");
            return new ProjectOrganization
            {
                Id = id,
                Owner = owner,
                Team = await RoleTeam.CreateAsync(portal, owner, id, "ADMIN", "DEVELOPER", "VIEWER"),
            };
        }
    }
}
