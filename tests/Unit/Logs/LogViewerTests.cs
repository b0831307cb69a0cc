using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Access;
using Platform.Domain.Common;
using Platform.Domain.Logs;
using Platform.Portal.Logs;
using Platform.Tests.Support;

namespace Platform.Tests.Logs;

/// <summary>
/// The live log viewer rendered against a real portal: lines go in through the host's log writer, are stored in
/// PostgreSQL, read by the real LogService and pushed on the host's LiveBus; the viewer is never fed by hand.
/// </summary>
public sealed class LogViewerTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task LinesStoredBeforeTheViewerOpens_AreShownInOrder_WithTheExplanationBesideAKnownFailure()
    {
        var application = await CreateApplicationAsync();
        var start = DateTimeOffset.UtcNow;
        Write(application, "Server starting", start);
        Write(application, "Error: Cannot find module 'express'", start.AddMilliseconds(1));
        await WaitUntilStoredAsync(application, 2);
        await using var context = await CreateContextAsync();

        var view = context.Render<LogViewer>(p => p.Add(v => v.ApplicationId, application.Id));

        await view.WaitForAssertionAsync(() => Assert.Equal(["Server starting", "Error: Cannot find module 'express'"], Messages(view)), Wait);
        var failure = Line(view, "Error: Cannot find module 'express'");
        var explanation = failure.QuerySelector("[data-testid='log-explanation']");
        Assert.NotNull(explanation);
        Assert.Contains("A Node.js module could not be found.", explanation.TextContent, StringComparison.Ordinal);
        Assert.Contains("dependencies", explanation.QuerySelector(".log-hint")!.TextContent, StringComparison.Ordinal);
        Assert.Null(Line(view, "Server starting").QuerySelector("[data-testid='log-explanation']"));
    }

    [Fact]
    public async Task ALineWrittenAfterTheViewerOpened_AppearsWithoutTheTestRenderingAgain()
    {
        var application = await CreateApplicationAsync();
        await using var context = await CreateContextAsync();
        var view = context.Render<LogViewer>(p => p.Add(v => v.ApplicationId, application.Id));
        await view.WaitForAssertionAsync(() => Assert.Contains("No log line yet", view.Markup, StringComparison.Ordinal), Wait);

        Write(application, "Listening on 0.0.0.0:3000", DateTimeOffset.UtcNow);

        await view.WaitForAssertionAsync(() => Assert.Equal(["Listening on 0.0.0.0:3000"], Messages(view)), Wait);
    }

    [Fact]
    public async Task TheLiveControl_PausesHoldingNewLinesAndCountingThem_UntilClickedAgain()
    {
        var application = await CreateApplicationAsync();
        Write(application, "before the pause", DateTimeOffset.UtcNow);
        await WaitUntilStoredAsync(application, 1);
        await using var context = await CreateContextAsync();
        var view = context.Render<LogViewer>(p => p.Add(v => v.ApplicationId, application.Id));
        await view.WaitForAssertionAsync(() => Assert.Equal(["before the pause"], Messages(view)), Wait);
        Assert.Equal("Live", LiveControl(view).TextContent.Trim());

        await LiveControl(view).ClickAsync(new MouseEventArgs());
        Write(application, "during the pause", DateTimeOffset.UtcNow);
        await WaitUntilStoredAsync(application, 2);

        await view.WaitForAssertionAsync(() => Assert.Equal("Paused (1 new)", LiveControl(view).TextContent.Trim()), Wait);
        Assert.Equal(["before the pause"], Messages(view));
        Assert.Single(view.FindAll("[data-testid='log-jump']"));

        await LiveControl(view).ClickAsync(new MouseEventArgs());

        await view.WaitForAssertionAsync(() => Assert.Equal(["before the pause", "during the pause"], Messages(view)), Wait);
        Assert.Equal("Live", LiveControl(view).TextContent.Trim());
        Assert.Empty(view.FindAll("[data-testid='log-pause'], [data-testid='log-follow']"));
    }

    [Fact]
    public async Task ScrollingUp_Pauses_AndJumpToLatestFollowsAgain()
    {
        var application = await CreateApplicationAsync();
        Write(application, "a line", DateTimeOffset.UtcNow);
        await WaitUntilStoredAsync(application, 1);
        await using var context = await CreateContextAsync();
        var view = context.Render<LogViewer>(p => p.Add(v => v.ApplicationId, application.Id));
        await view.WaitForAssertionAsync(() => Assert.Equal(["a line"], Messages(view)), Wait);

        await view.InvokeAsync(() => view.Instance.ScrolledUp());

        Assert.Equal("Paused", LiveControl(view).TextContent.Trim());
        await view.Find("[data-testid='log-jump']").ClickAsync(new MouseEventArgs());
        Assert.Equal("Live", LiveControl(view).TextContent.Trim());
    }

    [Fact]
    public async Task OneFailurePrintedOnThreeLines_GetsOneExplanation_BelowTheLastOfThem()
    {
        var application = await CreateApplicationAsync();
        var start = DateTimeOffset.UtcNow;
        Write(application, "fatal: 'origin' does not appear to be a git repository", start, LogStream.Stderr);
        Write(application, "fatal: Could not read from remote repository.", start.AddMilliseconds(1), LogStream.Stderr);
        Write(application, "The repository could not be fetched.", start.AddMilliseconds(2), LogStream.System);
        Write(application, "Server starting", start.AddMilliseconds(3));
        await WaitUntilStoredAsync(application, 4);
        await using var context = await CreateContextAsync();

        var view = context.Render<LogViewer>(p => p.Add(v => v.ApplicationId, application.Id));

        await view.WaitForAssertionAsync(() => Assert.Equal(4, Messages(view).Count), Wait);
        var explanation = Assert.Single(view.FindAll("[data-testid='log-explanation']"));
        Assert.Same(Line(view, "The repository could not be fetched.").QuerySelector("[data-testid='log-explanation']"), explanation);
        Assert.Contains("The 3 lines above", explanation.TextContent, StringComparison.Ordinal);
        Assert.Equal(3, view.FindAll(".log-line.log-explained").Count);
        Assert.False(Line(view, "Server starting").ClassList.Contains("log-explained"));
    }

    [Fact]
    public async Task StderrLines_CarryTheStderrClassAndTheirStreamsName()
    {
        var application = await CreateApplicationAsync();
        var start = DateTimeOffset.UtcNow;
        Write(application, "all good", start);
        Write(application, "TypeError: x is undefined", start.AddMilliseconds(1), LogStream.Stderr);
        await WaitUntilStoredAsync(application, 2);
        await using var context = await CreateContextAsync();

        var view = context.Render<LogViewer>(p => p.Add(v => v.ApplicationId, application.Id));

        await view.WaitForAssertionAsync(() => Assert.Equal(2, Messages(view).Count), Wait);
        var error = Line(view, "TypeError: x is undefined");
        Assert.Contains("log-stderr", error.ClassList);
        Assert.Equal("stderr", error.QuerySelector(".log-stream-tag")!.TextContent);
        Assert.DoesNotContain("log-stderr", Line(view, "all good").ClassList);
        Assert.Null(Line(view, "all good").QuerySelector(".log-stream-tag"));
    }

    [Fact]
    public async Task FiltersOfTheAddress_AreReadOnOpening_AndAChangeIsWrittenBack_KeepingTheTab()
    {
        var application = await CreateApplicationAsync();
        var start = DateTimeOffset.UtcNow;
        Write(application, "GET /orders 200", start);
        Write(application, "GET /orders failed", start.AddMilliseconds(1), LogStream.Stderr);
        Write(application, "GET /health failed", start.AddMilliseconds(2), LogStream.Stderr);
        await WaitUntilStoredAsync(application, 3);
        await using var context = await CreateContextAsync();
        var navigation = context.Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo($"/application/{application.Id}?tab=logs&stream=stderr");

        var view = context.Render<LogViewer>(p => p.Add(v => v.ApplicationId, application.Id));

        await view.WaitForAssertionAsync(() => Assert.Equal(["GET /orders failed", "GET /health failed"], Messages(view)), Wait);
        view.Find("input[placeholder='Filter by text']").Input("health");
        await view.WaitForAssertionAsync(() => Assert.Equal(["GET /health failed"], Messages(view)), Wait);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(navigation.Uri).Query);
        Assert.Equal("logs", query["tab"].ToString());
        Assert.Equal("stderr", query["stream"].ToString());
        Assert.Equal("health", query["q"].ToString());
        Assert.Equal($"/application/{application.Id}/logs.txt?q=health&stream=stderr", view.Find("[data-testid='log-download']").GetAttribute("href"));
    }

    [Fact]
    public async Task AFilterThatMatchesNothing_ShowsTheEmptyState_WhoseButtonClearsTheFilters()
    {
        var application = await CreateApplicationAsync();
        Write(application, "only stdout here", DateTimeOffset.UtcNow);
        await WaitUntilStoredAsync(application, 1);
        await using var context = await CreateContextAsync();
        var navigation = context.Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo($"/application/{application.Id}?tab=logs&stream=stderr");

        var view = context.Render<LogViewer>(p => p.Add(v => v.ApplicationId, application.Id));

        await view.WaitForAssertionAsync(() => Assert.Contains("No line matches these filters.", view.Find("[data-testid='log-empty']").TextContent, StringComparison.Ordinal), Wait);
        Assert.Empty(view.FindAll("[data-testid='log-panel']"));
        await view.Find("[data-testid='log-empty'] button").ClickAsync(new MouseEventArgs());
        await view.WaitForAssertionAsync(() => Assert.Equal(["only stdout here"], Messages(view)), Wait);
        Assert.DoesNotContain("stream=", navigation.Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TextFilter_HidesLinesThatDoNotContainTheText()
    {
        var application = await CreateApplicationAsync();
        var start = DateTimeOffset.UtcNow;
        Write(application, "GET /health 200", start);
        Write(application, "GET /orders 500", start.AddMilliseconds(1));
        Write(application, "POST /Orders 201", start.AddMilliseconds(2));
        await WaitUntilStoredAsync(application, 3);
        await using var context = await CreateContextAsync();
        var view = context.Render<LogViewer>(p => p.Add(v => v.ApplicationId, application.Id));
        await view.WaitForAssertionAsync(() => Assert.Equal(3, Messages(view).Count), Wait);

        view.Find("input[placeholder='Filter by text']").Input("orders");

        await view.WaitForAssertionAsync(() => Assert.Equal(["GET /orders 500", "POST /Orders 201"], Messages(view)), Wait);
    }

    /// <summary>
    /// A member removed from the organization while the viewer is open: the viewer took every line from the bus for as
    /// long as the circuit lived (the hub's subscriptions are checked again every 30 s; the page never was). Access is
    /// asked again at most every 10 s before lines are shown: after that, no line of the application shows.
    /// </summary>
    [Fact]
    public async Task AMemberRemovedWhileTheViewerIsOpen_GetsNoLineAfterTheNextCheck()
    {
        var application = await CreateApplicationAsync();
        var team = await ViewerTeam.OfAsync(portal);
        var viewer = await portal.AddMemberAsync(team.Owner, team.OrganizationId, "VIEWER");
        await using var context = await CreateContextAsync(viewer.User.Email, viewer.UserId);
        var view = context.Render<LogViewer>(p => p.Add(v => v.ApplicationId, application.Id));
        await view.WaitForAssertionAsync(() => Assert.Contains("No log line yet", view.Markup, StringComparison.Ordinal), Wait);
        Write(application, "before the removal", DateTimeOffset.UtcNow);
        await view.WaitForAssertionAsync(() => Assert.Equal(["before the removal"], Messages(view)), Wait);

        (await team.Owner.DeleteAsync($"/api/organization/{team.OrganizationId}/member/{viewer.UserId}")).EnsureSuccessStatusCode();
        await Task.Delay(TimeSpan.FromSeconds(11));
        Write(application, "secret after the removal", DateTimeOffset.UtcNow);
        await WaitUntilStoredAsync(application, 2);
        Write(application, "another after the removal", DateTimeOffset.UtcNow);
        await WaitUntilStoredAsync(application, 3);
        await Task.Delay(1000);

        Assert.DoesNotContain("after the removal", view.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("before the removal", view.Markup, StringComparison.Ordinal);
    }

    /// <summary>A bUnit context wired to the portal's own services, signed in as the team's owner.</summary>
    private async Task<BunitContext> CreateContextAsync()
    {
        var team = await ViewerTeam.OfAsync(portal);
        return await CreateContextAsync(team.Email, team.UserId);
    }

    // LogService and DeploymentService are scoped in the portal: one scope of the host per viewer, ended with the context.
    private Task<BunitContext> CreateContextAsync(string email, Guid userId) =>
        Task.FromResult(portal.CreateComponentContext(email, userId).WithHostService<LogService>().WithHostService<Platform.Domain.Deployments.DeploymentService>());

    private async Task<TestApplication> CreateApplicationAsync()
    {
        var team = await ViewerTeam.OfAsync(portal);
        var id = await team.Owner.PostForIdAsync($"/api/environment/{team.EnvironmentId}/application",
            new { name = $"web-{CatalogueSteps.Unique()}", git_repository = new { url = "/srv/git/web.git" }, start_command = "npm start", port = 3000 });
        return new TestApplication(id, team.UserId);
    }

    private void Write(TestApplication application, string message, DateTimeOffset at, LogStream stream = LogStream.Stdout) =>
        portal.Services.GetRequiredService<ILogSink>().Write(new LogEntry(application.Id, null, "web-1", stream, message, at));

    /// <summary>Waits until the log writer has stored the lines (it publishes them on the bus right after).</summary>
    private async Task WaitUntilStoredAsync(TestApplication application, int count)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var logs = scope.ServiceProvider.GetRequiredService<LogService>();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var page = await logs.ListForApplicationAsync(new Caller(application.UserId), application.Id, new HistoryQuery(300, 1, null));
            if (page.Value.Results.Count >= count)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{count} log lines were never stored.");
    }

    private static List<string> Messages(IRenderedComponent<LogViewer> view) =>
        view.FindAll(".log-line .log-message").Select(m => m.TextContent).ToList();

    private static IElement Line(IRenderedComponent<LogViewer> view, string message) =>
        view.FindAll(".log-line").Single(l => l.QuerySelector(".log-message")!.TextContent == message);

    private static IElement LiveControl(IRenderedComponent<LogViewer> view) => view.Find("[data-testid='log-live']");

    private sealed record TestApplication(Guid Id, Guid UserId);

    /// <summary>One user, organization, project and environment for the whole class; each test adds its own application.</summary>
    private sealed record ViewerTeam(HttpClient Owner, string Email, Guid UserId, Guid OrganizationId, Guid EnvironmentId)
    {
        public static Task<ViewerTeam> OfAsync(PortalFactory portal) => portal.SharedAsync(async p =>
        {
            var (client, user) = await p.CreateUserClientAsync();
            var userId = await client.GetUserIdAsync();
            var organization = await client.PostForIdAsync("/api/organization", new { name = $"logs-{CatalogueSteps.Unique()}" });
            var project = await client.PostForIdAsync($"/api/organization/{organization}/project", new { name = "shop" });
            var environment = await client.PostForIdAsync($"/api/project/{project}/environment", new { name = "staging", mode = "STAGING" });
            return new ViewerTeam(client, user.Email, userId, organization, environment);
        });
    }
}
