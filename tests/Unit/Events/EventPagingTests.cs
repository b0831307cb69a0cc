using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Platform.Tests.Support;

namespace Platform.Tests.Events;

/// <summary>
/// Events of environments, applications and databases: every change is one, with its author and its service,
/// on the service and on its environment; history paging (tail, page, lastId) as PRODUCT.md section 3 has it.
/// The paging tests read one environment that the shared setup fills and no test changes; the order they
/// expect is the order the events were committed in, read from the database.
/// </summary>
public sealed class EventPagingTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private const int Updates = 30;

    private static readonly string[] EventFields = ["commit", "created_at", "id", "owner", "service", "status"];

    [Fact]
    public async Task ApplicationEvent_ShowsAuthorAndServiceOnTheApplicationAndOnTheEnvironment()
    {
        var org = await OrganizationAsync();
        var environment = await org.Owner.CreateEnvironmentAsync(org.ProjectId, $"authored-{CatalogueSteps.Unique()}");

        var application = await org.Developer.Client.CreateApplicationAsync(environment.Id(), "api");

        var onApplication = Assert.Single(await ResultsAsync(org.Viewer, $"/api/application/{application.Id()}/event"))!.AsObject();
        Assert.Equal(EventFields, onApplication.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("CREATED", onApplication["status"].Text("state"));
        Assert.Equal("OK", onApplication["status"].Text("simple_state"));
        Assert.False(string.IsNullOrWhiteSpace(onApplication["status"].Text("message")));
        var owner = onApplication["owner"]!.AsObject();
        Assert.Equal(["id", "name", "picture_profile_url"], owner.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(org.Developer.UserId.ToString(), owner.Text("id"));
        Assert.Equal($"{org.Developer.User.FirstName} {org.Developer.User.LastName}", owner.Text("name"));
        Assert.Equal("APPLICATION", onApplication["service"].Text("type"));
        Assert.Equal(application.Text("id"), onApplication["service"].Text("id"));
        Assert.Equal("api", onApplication["service"].Text("name"));
        Assert.Null(onApplication["commit"]);

        var onEnvironment = await ResultsAsync(org.Viewer, $"/api/environment/{environment.Id()}/event");
        Assert.True(JsonNode.DeepEquals(onApplication, onEnvironment[0]), $"the environment's newest event is {onEnvironment[0]}, the application's {onApplication}");
    }

    [Fact]
    public async Task DatabaseEvent_ShowsAuthorAndServiceOnTheDatabaseAndOnTheEnvironment()
    {
        var org = await OrganizationAsync();
        var environment = await org.Owner.CreateEnvironmentAsync(org.ProjectId, $"data-{CatalogueSteps.Unique()}");
        var database = await org.Owner.CreateDatabaseAsync(environment.Id(), "main");

        await (await org.Developer.Client.PutAsJsonAsync($"/api/database/{database.Id()}", new { storage = 30 })).ExpectAsync(HttpStatusCode.OK, "PUT database");

        var onDatabase = await ResultsAsync(org.Viewer, $"/api/database/{database.Id()}/event");
        Assert.Equal(["UPDATED", "CREATED"], onDatabase.Select(e => e!["status"].Text("state")));
        Assert.Equal([org.Developer.UserId.ToString(), org.OwnerId.ToString()], onDatabase.Select(e => e!["owner"].Text("id")));
        Assert.All(onDatabase, e =>
        {
            Assert.Equal("DATABASE", e!["service"].Text("type"));
            Assert.Equal(database.Text("id"), e["service"].Text("id"));
            Assert.Equal("main", e["service"].Text("name"));
        });
        var onEnvironment = await ResultsAsync(org.Viewer, $"/api/environment/{environment.Id()}/event");
        Assert.True(JsonNode.DeepEquals(onDatabase[0], onEnvironment[0]), $"the environment's newest event is {onEnvironment[0]}, the database's {onDatabase[0]}");
        Assert.True(JsonNode.DeepEquals(onDatabase[1], onEnvironment[1]), $"the environment's second event is {onEnvironment[1]}, the database's {onDatabase[1]}");
    }

    [Fact]
    public async Task EveryChange_IsAnEventOnTheEnvironment_NewestFirst()
    {
        var org = await OrganizationAsync();
        var environment = await org.Owner.CreateEnvironmentAsync(org.ProjectId, $"history-{CatalogueSteps.Unique()}");
        var name = environment.Text("name");
        var path = $"/api/environment/{environment.Id()}";
        var application = await org.Owner.CreateApplicationAsync(environment.Id(), "web");
        await (await org.Owner.PutAsJsonAsync($"/api/application/{application.Id()}", new { port = 4000 })).ExpectAsync(HttpStatusCode.OK, "PUT application");
        var database = await org.Owner.CreateDatabaseAsync(environment.Id(), "main");
        await (await org.Owner.PutAsJsonAsync($"/api/database/{database.Id()}", new { storage = 20 })).ExpectAsync(HttpStatusCode.OK, "PUT database");
        await (await org.Owner.DeleteAsync($"/api/database/{database.Id()}")).ExpectAsync(HttpStatusCode.NoContent, "DELETE database");
        await (await org.Owner.PutAsJsonAsync(path, new { mode = "STAGING" })).ExpectAsync(HttpStatusCode.OK, "PUT environment");
        var clone = await (await org.Owner.PostAsJsonAsync($"{path}/clone", new { name = $"copy-{CatalogueSteps.Unique()}" }))
            .ReadJsonAsync(HttpStatusCode.Created, "POST clone");
        await (await org.Owner.PostAsync($"{path}/archive", null)).ExpectAsync(HttpStatusCode.OK, "POST archive");
        await (await org.Owner.PostAsync($"{path}/unarchive", null)).ExpectAsync(HttpStatusCode.OK, "POST unarchive");
        var applicationEvents = await ResultsAsync(org.Owner, $"/api/application/{application.Id()}/event");
        await (await org.Owner.DeleteAsync($"/api/application/{application.Id()}")).ExpectAsync(HttpStatusCode.NoContent, "DELETE application");

        var events = await ResultsAsync(org.Viewer, $"{path}/event?tail=50");

        // A deletion is a deployment like any other: queued, in progress, the service deleting, deleted, done.
        Assert.Equal(
            [
                ("OK", "ENVIRONMENT", "environment"),
                ("DELETED", "APPLICATION", "web"),
                ("DELETING", "APPLICATION", "web"),
                ("DEPLOYMENT_IN_PROGRESS", "ENVIRONMENT", "environment"),
                ("QUEUED", "ENVIRONMENT", "environment"),
                ("QUEUED", "APPLICATION", "web"),
                ("UNARCHIVED", "ENVIRONMENT", name),
                ("ARCHIVED", "ENVIRONMENT", name),
                ("CLONED", "ENVIRONMENT", name),
                ("UPDATED", "ENVIRONMENT", name),
                ("OK", "ENVIRONMENT", "environment"),
                ("DELETED", "DATABASE", "main"),
                ("DELETING", "DATABASE", "main"),
                ("DEPLOYMENT_IN_PROGRESS", "ENVIRONMENT", "environment"),
                ("QUEUED", "ENVIRONMENT", "environment"),
                ("QUEUED", "DATABASE", "main"),
                ("UPDATED", "DATABASE", "main"),
                ("CREATED", "DATABASE", "main"),
                ("UPDATED", "APPLICATION", "web"),
                ("CREATED", "APPLICATION", "web"),
                ("CREATED", "ENVIRONMENT", name),
            ],
            events.Select(e => (e!["status"].Text("state"), e["service"].Text("type"), e["service"].Text("name"))));
        Assert.All(events, e => Assert.Equal(org.OwnerId.ToString(), e!["owner"].Text("id")));
        Assert.Equal(events[^1]!["service"].Text("id"), environment.Text("id"));
        Assert.Equal(["UPDATED", "CREATED"], applicationEvents.Select(e => e!["status"].Text("state")));
        AssertNewestFirst(events);
        var cloneEvents = await ResultsAsync(org.Owner, $"/api/environment/{clone.Id()}/event");
        Assert.Contains(cloneEvents, e => e!["status"].Text("state") == "CLONED" && e["service"].Text("id") == clone.Text("id"));
    }

    [Fact]
    public async Task Archive_OfRunningServices_StopsThemThroughAnArchiveDeployment_WithTheirEvents()
    {
        var org = await OrganizationAsync();
        var environment = await org.Owner.CreateEnvironmentAsync(org.ProjectId, $"stopping-{CatalogueSteps.Unique()}");
        var application = await org.Owner.CreateApplicationAsync(environment.Id(), "web");
        await portal.ExecuteSqlAsync("UPDATE application SET state = 'Running' WHERE id = @id", ("id", application.Id()));

        await (await org.Developer.Client.PostAsync($"/api/environment/{environment.Id()}/archive", null)).ExpectAsync(HttpStatusCode.OK, "POST archive");

        var onApplication = await ResultsAsync(org.Owner, $"/api/application/{application.Id()}/event");
        Assert.Equal(["STOPPED", "STOPPING", "QUEUED", "CREATED"], onApplication.Select(e => e!["status"].Text("state")));
        Assert.Equal(org.Developer.UserId.ToString(), onApplication[0]!["owner"].Text("id"));
        var onEnvironment = await ResultsAsync(org.Owner, $"/api/environment/{environment.Id()}/event");
        Assert.Equal(["OK", "STOPPED", "STOPPING", "DEPLOYMENT_IN_PROGRESS", "QUEUED", "QUEUED", "ARCHIVED", "CREATED", "CREATED"],
            onEnvironment.Select(e => e!["status"].Text("state")));
        var deployments = await org.Owner.GetResultsAsync($"/api/environment/{environment.Id()}/deployment");
        Assert.Equal("ARCHIVE", deployments[0].Text("kind"));
    }

    [Fact]
    public async Task DefaultPage_AnswersTheNewest20WithPageAndTotal()
    {
        var org = await OrganizationAsync();

        var page = await org.Owner.GetObjectAsync($"/api/environment/{org.PagedEnvironmentId}/event");

        Assert.Equal(["page", "page_size", "results", "total"], page.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(1, page["page"]!.GetValue<int>());
        Assert.Equal(20, page["page_size"]!.GetValue<int>());
        Assert.Equal(org.PagedEvents.Count, page["total"]!.GetValue<int>());
        Assert.Equal(org.PagedEvents.Reverse().Take(20), Ids(page["results"]!.AsArray()));
        AssertNewestFirst(page["results"]!.AsArray());
    }

    [Fact]
    public async Task Page2WithTail7_AnswersEntries8To14NewestFirst()
    {
        var org = await OrganizationAsync();

        var page = await org.Owner.GetObjectAsync($"/api/environment/{org.PagedEnvironmentId}/event?tail=7&page=2");

        Assert.Equal(2, page["page"]!.GetValue<int>());
        Assert.Equal(7, page["page_size"]!.GetValue<int>());
        Assert.Equal(org.PagedEvents.Count, page["total"]!.GetValue<int>());
        Assert.Equal(org.PagedEvents.Reverse().Skip(7).Take(7), Ids(page["results"]!.AsArray()));
    }

    [Fact]
    public async Task PagesWithTail7_TogetherAnswerEveryEventOnce()
    {
        var org = await OrganizationAsync();
        var seen = new List<Guid>();
        var sizes = new List<int>();

        for (var number = 1; ; number++)
        {
            var results = (await org.Owner.GetObjectAsync($"/api/environment/{org.PagedEnvironmentId}/event?tail=7&page={number}"))["results"]!.AsArray();
            if (results.Count == 0)
            {
                break;
            }

            Assert.True(number < 50, "paging never ended");
            sizes.Add(results.Count);
            seen.AddRange(Ids(results));
        }

        Assert.Equal(org.PagedEvents.Reverse(), seen);
        Assert.Equal([7, 7, 7, 7, 5], sizes);
    }

    [Fact]
    public async Task LastIdLoopWithTail7_FromTheOldest_AnswersEveryLaterEventOnceInOrder()
    {
        var org = await OrganizationAsync();
        var seen = new List<Guid>();
        var lastId = org.PagedEvents[0];

        for (var round = 0; ; round++)
        {
            var answer = await org.Owner.GetObjectAsync($"/api/environment/{org.PagedEnvironmentId}/event?tail=7&lastId={lastId}");
            Assert.Equal(["results"], answer.Select(p => p.Key));
            var results = answer["results"]!.AsArray();
            if (results.Count == 0)
            {
                break;
            }

            Assert.True(round < 50, "the lastId loop never ended");
            Assert.True(results.Count <= 500);
            seen.AddRange(Ids(results));
            lastId = seen[^1];
        }

        Assert.Equal(org.PagedEvents.Skip(1), seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public async Task LastId_AnswersEveryLaterEvent_EvenMoreThanAPage()
    {
        var org = await OrganizationAsync();

        var answer = await org.Owner.GetObjectAsync($"/api/environment/{org.PagedEnvironmentId}/event?lastId={org.PagedEvents[0]}");

        var results = answer["results"]!.AsArray();
        Assert.Equal(org.PagedEvents.Skip(1), Ids(results));
        Assert.True(results.Count > 20, $"only {results.Count} events after the first one");
        var times = results.Select(e => DateTimeOffset.Parse(e.Text("created_at")!, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.Order(), times);
    }

    [Fact]
    public async Task LastId_OfTheNewestEvent_AnswersNothing()
    {
        var org = await OrganizationAsync();

        var answer = await org.Owner.GetObjectAsync($"/api/environment/{org.PagedEnvironmentId}/event?lastId={org.PagedEvents[^1]}");

        Assert.Empty(answer["results"]!.AsArray());
    }

    [Fact]
    public async Task TailThenLastId_AnswersOnlyTheEventsThatCameLater()
    {
        var org = await OrganizationAsync();
        var environment = await org.Owner.CreateEnvironmentAsync(org.ProjectId, $"followed-{CatalogueSteps.Unique()}");
        var application = await org.Owner.CreateApplicationAsync(environment.Id(), "web");
        var newest = (await ResultsAsync(org.Owner, $"/api/environment/{environment.Id()}/event?tail=7"))[0]!.AsObject().Id();
        for (var i = 0; i < 12; i++)
        {
            await (await org.Owner.PutAsJsonAsync($"/api/application/{application.Id()}", new { port = 5000 + i })).ExpectAsync(HttpStatusCode.OK, "PUT application");
        }

        var seen = new List<JsonNode?>();
        for (var lastId = newest; ;)
        {
            var results = await ResultsAsync(org.Owner, $"/api/environment/{environment.Id()}/event?tail=7&lastId={lastId}");
            if (results.Count == 0)
            {
                break;
            }

            Assert.True(seen.Count < 100, "the lastId loop never ended");
            seen.AddRange(results);
            lastId = seen[^1]!.AsObject().Id();
        }

        var stored = await portal.StoredEventIdsAsync(environment.Id());
        Assert.Equal(stored.SkipWhile(id => id != newest).Skip(1), seen.Select(e => e!.AsObject().Id()));
        Assert.Equal(12, seen.Count);
        Assert.All(seen, e => Assert.Equal("UPDATED", e!["status"].Text("state")));
    }

    [Fact]
    public async Task ApplicationList_PagesOnlyTheApplicationsEvents()
    {
        var org = await OrganizationAsync();

        var page = await org.Owner.GetObjectAsync($"/api/application/{org.PagedApplicationId}/event?tail=500");

        var results = page["results"]!.AsArray();
        Assert.Equal(Updates + 1, page["total"]!.GetValue<int>());
        Assert.Equal(Updates + 1, results.Count);
        Assert.All(results, e => Assert.Equal(org.PagedApplicationId.ToString(), e!["service"].Text("id")));
        Assert.Equal(Enumerable.Repeat("UPDATED", Updates).Append("CREATED"), results.Select(e => e!["status"].Text("state")));
        Assert.Equal(org.PagedEvents.Reverse().Where(Ids(results).Contains), Ids(results));
    }

    [Fact]
    public async Task UnknownLastId_Returns400NamingLastId()
    {
        var org = await OrganizationAsync();

        var response = await org.Owner.GetAsync($"/api/environment/{org.PagedEnvironmentId}/event?lastId={Guid.CreateVersion7()}");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "GET events after an unknown lastId");
        Assert.Equal(["lastId"], problem.ErrorFields());
    }

    [Fact]
    public async Task MalformedLastId_Returns400NamingLastId()
    {
        var org = await OrganizationAsync();

        var response = await org.Owner.GetAsync($"/api/environment/{org.PagedEnvironmentId}/event?lastId=not-an-id");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "GET events after lastId=not-an-id");
        Assert.Equal(["lastId"], problem.ErrorFields());
    }

    [Fact]
    public async Task LastIdOfAnotherEnvironmentsEvent_Returns400()
    {
        var org = await OrganizationAsync();

        var response = await org.Owner.GetAsync($"/api/environment/{org.PagedEnvironmentId}/event?lastId={org.OtherEnvironmentEventId}");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "GET events after another environment's event");
        Assert.Equal(["lastId"], problem.ErrorFields());
    }

    [Fact]
    public async Task LastIdOfAnEnvironmentEvent_OnTheApplicationList_Returns400()
    {
        var org = await OrganizationAsync();

        // The environment's first event is its own CREATED, which is not on the application's list.
        var response = await org.Owner.GetAsync($"/api/application/{org.PagedApplicationId}/event?lastId={org.PagedEvents[0]}");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "GET application events after an environment event");
        Assert.Equal(["lastId"], problem.ErrorFields());
    }

    [Theory]
    [InlineData("tail=0", "tail")]
    [InlineData("tail=501", "tail")]
    [InlineData("tail=-1", "tail")]
    [InlineData("tail=ten", "tail")]
    [InlineData("tail=", "tail")]
    [InlineData("page=0", "page")]
    [InlineData("page=x", "page")]
    public async Task BadPagingParameter_Returns400NamingIt(string query, string field)
    {
        var org = await OrganizationAsync();

        var response = await org.Owner.GetAsync($"/api/environment/{org.PagedEnvironmentId}/event?{query}");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, $"GET events?{query}");
        Assert.Equal([field], problem.ErrorFields());
    }

    [Theory]
    [InlineData("application")]
    [InlineData("database")]
    public async Task Tail0OnServiceLists_Returns400(string kind)
    {
        var org = await OrganizationAsync();
        var id = kind == "application" ? org.PagedApplicationId : org.PagedDatabaseId;

        var response = await org.Owner.GetAsync($"/api/{kind}/{id}/event?tail=0");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, $"GET {kind} events?tail=0");
        Assert.Equal(["tail"], problem.ErrorFields());
    }

    [Fact]
    public async Task Tail500_AnswersTheWholeHistory()
    {
        var org = await OrganizationAsync();

        var page = await org.Owner.GetObjectAsync($"/api/environment/{org.PagedEnvironmentId}/event?tail=500");

        Assert.Equal(500, page["page_size"]!.GetValue<int>());
        Assert.Equal(org.PagedEvents.Reverse(), Ids(page["results"]!.AsArray()));
    }

    [Theory]
    [InlineData("environment")]
    [InlineData("application")]
    [InlineData("database")]
    public async Task EventsOfUnknownResource_Return404(string kind)
    {
        var org = await OrganizationAsync();

        var response = await org.Owner.GetAsync($"/api/{kind}/{Guid.CreateVersion7()}/event");

        await response.AssertProblemAsync(HttpStatusCode.NotFound, $"GET events of an unknown {kind}");
    }

    private static async Task<JsonArray> ResultsAsync(ApiMember member, string path) => await ResultsAsync(member.Client, path);

    private static async Task<JsonArray> ResultsAsync(HttpClient client, string path) => (await client.GetObjectAsync(path))["results"]!.AsArray();

    private static List<Guid> Ids(JsonArray events) => events.Select(e => e!.AsObject().Id()).ToList();

    private static void AssertNewestFirst(JsonArray events)
    {
        var times = events.Select(e => DateTimeOffset.Parse(e.Text("created_at")!, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.OrderDescending(), times);
    }

    private Task<EventOrganization> OrganizationAsync() => portal.SharedAsync(EventOrganization.CreateAsync);

    /// <summary>
    /// An organization with a DEVELOPER and a VIEWER, and a project holding the paged environment: created, an
    /// application "web" created and updated <see cref="Updates"/> times, a database "main" created (33 events),
    /// which no test changes; and another environment with events of its own.
    /// </summary>
    private sealed class EventOrganization
    {
        public required HttpClient Owner { get; init; }

        public required Guid OwnerId { get; init; }

        public required ApiMember Developer { get; init; }

        public required ApiMember Viewer { get; init; }

        public required Guid ProjectId { get; init; }

        public required Guid PagedEnvironmentId { get; init; }

        public required Guid PagedApplicationId { get; init; }

        public required Guid PagedDatabaseId { get; init; }

        /// <summary>The paged environment's events, oldest first, as committed.</summary>
        public required IReadOnlyList<Guid> PagedEvents { get; init; }

        public required Guid OtherEnvironmentEventId { get; init; }

        public static async Task<EventOrganization> CreateAsync(PortalFactory portal)
        {
            var (owner, _) = await portal.CreateUserClientAsync();
            var organization = await owner.CreateOrganizationAsync($"Events {CatalogueSteps.Unique()}");
            var project = await owner.CreateProjectAsync(organization, "events");
            var paged = await owner.CreateEnvironmentAsync(project.Id(), "paged");
            var application = await owner.CreateApplicationAsync(paged.Id(), "web");
            for (var i = 1; i <= Updates; i++)
            {
                await (await owner.PutAsJsonAsync($"/api/application/{application.Id()}", new { port = 3000 + i })).ExpectAsync(HttpStatusCode.OK, $"update {i}");
            }

            var database = await owner.CreateDatabaseAsync(paged.Id(), "main");
            var events = await portal.StoredEventIdsAsync(paged.Id());
            if (events.Count != Updates + 3)
            {
                throw new InvalidOperationException($"The paged environment has {events.Count} events, not {Updates + 3}.");
            }

            var other = await owner.CreateEnvironmentAsync(project.Id(), "other");
            await owner.CreateApplicationAsync(other.Id(), "web");
            return new EventOrganization
            {
                Owner = owner,
                OwnerId = await owner.GetUserIdAsync(),
                Developer = await portal.AddMemberAsync(owner, organization, "DEVELOPER"),
                Viewer = await portal.AddMemberAsync(owner, organization, "VIEWER"),
                ProjectId = project.Id(),
                PagedEnvironmentId = paged.Id(),
                PagedApplicationId = application.Id(),
                PagedDatabaseId = database.Id(),
                PagedEvents = events,
                OtherEnvironmentEventId = (await portal.StoredEventIdsAsync(other.Id()))[^1],
            };
        }
    }
}
