using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Access;
using Platform.Domain.Common;
using Platform.Domain.Logs;
using Platform.Tests.Support;

namespace Platform.Tests.Logs;

/// <summary>
/// The log filters in the database: by stream, by time window, by text, through LogService and the log API; and the
/// text download of the portal (cookie session) for the same filters.
/// </summary>
public sealed class LogFilterTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task StreamFilter_AnswersOnlyThatStreamsLines_AndCountsThem()
    {
        var c = await Catalogue.CreateAsync(portal, "streams");
        Write(c.ApplicationId, "listening", Start, LogStream.Stdout);
        Write(c.ApplicationId, "TypeError: x is undefined", Start.AddSeconds(1), LogStream.Stderr);
        Write(c.ApplicationId, "Instance web-1 started", Start.AddSeconds(2), LogStream.System);
        Write(c.ApplicationId, "warning: deprecated", Start.AddSeconds(3), LogStream.Stderr);
        await LogApiTests.WaitForLinesAsync(c, 4);

        var page = await ListAsync(c, LogFilter.None with { Stream = LogStream.Stderr });

        Assert.Equal(["warning: deprecated", "TypeError: x is undefined"], page.Results.Select(l => l.Message));
        Assert.Equal(2, page.Total);
    }

    [Fact]
    public async Task TimeWindow_AnswersTheLinesFromFromToTo_HoweverOldTheyAre()
    {
        var c = await Catalogue.CreateAsync(portal, "window");
        for (var minute = 0; minute < 6; minute++)
        {
            Write(c.ApplicationId, $"minute {minute}", Start.AddMinutes(minute), LogStream.Stdout);
        }

        await LogApiTests.WaitForLinesAsync(c, 6);

        var page = await ListAsync(c, LogFilter.None with { From = Start.AddMinutes(1), To = Start.AddMinutes(3) });

        Assert.Equal(["minute 3", "minute 2", "minute 1"], page.Results.Select(l => l.Message));
    }

    [Fact]
    public async Task TextFilter_MatchesRegardlessOfCase_TogetherWithTheOtherFilters()
    {
        var c = await Catalogue.CreateAsync(portal, "text");
        Write(c.ApplicationId, "GET /Orders 500", Start, LogStream.Stderr);
        Write(c.ApplicationId, "GET /orders 200", Start.AddSeconds(1), LogStream.Stdout);
        Write(c.ApplicationId, "GET /health 500", Start.AddSeconds(2), LogStream.Stderr);
        await LogApiTests.WaitForLinesAsync(c, 3);

        var page = await ListAsync(c, LogFilter.None with { Text = "ORDERS", Stream = LogStream.Stderr });

        Assert.Equal(["GET /Orders 500"], page.Results.Select(l => l.Message));
    }

    [Theory]
    [InlineData("100%", "disk 100% full")]
    [InlineData("a_b", "key a_b missing")]
    [InlineData("\\d+", "regex \\d+ in a line")]
    [InlineData("'; drop table log_lines; --", "quote '; drop table log_lines; -- here")]
    public async Task TextFilter_MatchesItsTextLiterally_NotAsAPatternOrSql(string text, string matching)
    {
        var c = await Catalogue.CreateAsync(portal, "literal");
        Write(c.ApplicationId, matching, Start, LogStream.Stdout);
        Write(c.ApplicationId, "disk 1000 full, key aXb missing, regex 42, quote here", Start.AddSeconds(1), LogStream.Stdout);
        await LogApiTests.WaitForLinesAsync(c, 2);

        var page = await ListAsync(c, LogFilter.None with { Text = text });

        Assert.Equal([matching], page.Results.Select(l => l.Message));
    }

    [Fact]
    public async Task Download_WithTheWidestTimeWindow_AnswersItsLines()
    {
        var c = await Catalogue.CreateAsync(portal, "widest");
        Write(c.ApplicationId, "the only line", Start, LogStream.Stdout);
        await LogApiTests.WaitForLinesAsync(c, 1);
        using var browser = await portal.SignedInClientAsync(c.OwnerUser);

        var response = await browser.GetAsync($"/application/{c.ApplicationId}/logs.txt?from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59.9999999Z");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.EndsWith("stdout the only line\n", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadValues_NameEachBadField()
    {
        var parsed = LogFilter.Parse("not-an-id", null, new string('x', LogFilter.MaxTextLength + 1), "stdall", "yesterday", null);

        Assert.False(parsed.IsSuccess);
        Assert.Equal(["deployment", "from", "q", "stream"], parsed.Error!.Errors!.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task LogApi_TakesTheStreamFilter_AndAnswers400ForAnUnknownStream()
    {
        var c = await Catalogue.CreateAsync(portal, "api");
        Write(c.ApplicationId, "out", Start, LogStream.Stdout);
        Write(c.ApplicationId, "err", Start.AddSeconds(1), LogStream.Stderr);
        await LogApiTests.WaitForLinesAsync(c, 2);

        var page = (await c.Owner.GetFromJsonAsync<JsonObject>($"/api/application/{c.ApplicationId}/log?stream=stderr"))!;
        var bad = await c.Owner.GetAsync($"/api/application/{c.ApplicationId}/log?stream=loud");

        Assert.Equal(["err"], page["results"]!.AsArray().Select(l => l!["message"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("stream", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Download_AnswersTheMatchingLinesAsText_OldestFirst_AsAnAttachment()
    {
        var c = await Catalogue.CreateAsync(portal, "download");
        Write(c.ApplicationId, "listening", Start.AddMilliseconds(123), LogStream.Stdout);
        Write(c.ApplicationId, "TypeError: x is undefined", Start.AddSeconds(1), LogStream.Stderr);
        Write(c.ApplicationId, "warning: deprecated", Start.AddSeconds(2), LogStream.Stderr);
        await LogApiTests.WaitForLinesAsync(c, 3);
        using var browser = await portal.SignedInClientAsync(c.OwnerUser);

        var response = await browser.GetAsync($"/application/{c.ApplicationId}/logs.txt?stream=stderr");
        var all = await browser.GetStringAsync($"/application/{c.ApplicationId}/logs.txt");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal(
            "2026-12-02T10:00:01.000Z web-1 stderr TypeError: x is undefined\n2026-12-02T10:00:02.000Z web-1 stderr warning: deprecated\n",
            await response.Content.ReadAsStringAsync());
        Assert.StartsWith("2026-12-02T10:00:00.123Z web-1 stdout listening\n", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Download_OfAnHtmlLookingLine_IsPlainTextTheBrowserMayNotSniff_AndOnlySaves()
    {
        var c = await Catalogue.CreateAsync(portal, "hostile");
        Write(c.ApplicationId, "<html><script>alert(document.cookie)</script>", Start, LogStream.Stdout);
        await LogApiTests.WaitForLinesAsync(c, 1);
        using var browser = await portal.SignedInClientAsync(c.OwnerUser);

        var response = await browser.GetAsync($"/application/{c.ApplicationId}/logs.txt");

        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal($"logs-{c.ApplicationId}.txt", response.Content.Headers.ContentDisposition.FileName?.Trim('"'));
        Assert.True(response.Headers.CacheControl?.NoStore, "no cache keeps a copy of the logs");
    }

    [Fact]
    public async Task Download_OfAnotherOrganizationsApplication_Answers404()
    {
        var theirs = await Catalogue.CreateAsync(portal, "theirs");
        Write(theirs.ApplicationId, "their secret line", Start, LogStream.Stdout);
        await LogApiTests.WaitForLinesAsync(theirs, 1);
        var mine = await Catalogue.CreateAsync(portal, "mine");
        using var browser = await portal.SignedInClientAsync(mine.OwnerUser);

        var response = await browser.GetAsync($"/application/{theirs.ApplicationId}/logs.txt");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("their secret line", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("stream=loud")]
    [InlineData("from=yesterday")]
    [InlineData("deployment=42")]
    [InlineData("from=0001-01-01T00:00:00%2B14:00")]
    [InlineData("from=2026-12-02T11:00:00Z&to=2026-12-02T10:00:00Z")]
    public async Task Download_WithABadFilter_Answers400(string query)
    {
        var c = await Catalogue.CreateAsync(portal, "bad");
        using var browser = await portal.SignedInClientAsync(c.OwnerUser);

        var response = await browser.GetAsync($"/application/{c.ApplicationId}/logs.txt?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    private async Task<HistoryPage<LogView>> ListAsync(Catalogue c, LogFilter filter)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var logs = scope.ServiceProvider.GetRequiredService<LogService>();
        var page = await logs.ListForApplicationAsync(new Caller(await c.Owner.GetUserIdAsync()), c.ApplicationId, new HistoryQuery(100, 1, null), filter);
        return page.Value;
    }

    private void Write(Guid applicationId, string message, DateTimeOffset at, LogStream stream) =>
        portal.Services.GetRequiredService<ILogSink>().Write(new LogEntry(applicationId, null, "web-1", stream, message, at));
}
