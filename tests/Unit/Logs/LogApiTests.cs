using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Logs;
using Platform.Tests.Support;

namespace Platform.Tests.Logs;

/// <summary>An application's logs through the API: the draft's shape, paging without gaps, retention.</summary>
public sealed class LogApiTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Tail_AnswersTheDraftShape_WithTheExplanationOfAKnownFailure()
    {
        var c = await Catalogue.CreateAsync(portal, "shape");
        Write(c.ApplicationId, "npm ERR! Missing script: \"start\"", DateTimeOffset.UtcNow);

        var page = await WaitForLinesAsync(c, 1);

        var line = page["results"]![0]!;
        Assert.Equal(1, page["total"]!.GetValue<int>());
        Assert.Equal("npm ERR! Missing script: \"start\"", line["message"]!.GetValue<string>());
        Assert.Contains("package.json", line["hint"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(line["message_human_explanation"]!.GetValue<string>()));
        Assert.True(line.AsObject().ContainsKey("status") && line.AsObject().ContainsKey("owner") && line.AsObject().ContainsKey("commit"));
    }

    [Fact]
    public async Task LastId_WhileLinesKeepArriving_MissesNoneAndRepeatsNone()
    {
        const int Count = 3000;
        var c = await Catalogue.CreateAsync(portal, "paging");
        Write(c.ApplicationId, "start", DateTimeOffset.UtcNow);
        var lastId = (await WaitForLinesAsync(c, 1))["results"]![0]!["id"]!.GetValue<string>();

        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < Count; i++)
            {
                Write(c.ApplicationId, $"line {i}", DateTimeOffset.UtcNow);
                if (i % 100 == 0)
                {
                    await Task.Delay(20);
                }
            }
        });
        var seen = new List<int>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (seen.Count < Count)
        {
            var newer = (await c.Owner.GetFromJsonAsync<JsonObject>($"/api/application/{c.ApplicationId}/log?lastId={lastId}", timeout.Token))!["results"]!.AsArray();
            foreach (var line in newer)
            {
                seen.Add(int.Parse(line!["message"]!.GetValue<string>()["line ".Length..], CultureInfo.InvariantCulture));
                lastId = line["id"]!.GetValue<string>();
            }

            if (newer.Count == 0)
            {
                await Task.Delay(50, timeout.Token);
            }
        }

        await writer;
        Assert.Equal(Enumerable.Range(0, Count), seen);
    }

    [Fact]
    public async Task Retention_DropsLinesOverTheAgeAndOverTheLimit_AndRecountsTheTotal()
    {
        var c = await Catalogue.CreateAsync(portal, "retention");
        var now = DateTimeOffset.UtcNow;
        Write(c.ApplicationId, "ancient", now.AddDays(-30));
        for (var i = 0; i < 8; i++)
        {
            Write(c.ApplicationId, $"recent {i}", now.AddSeconds(i - 10));
        }

        await WaitForLinesAsync(c, 9);
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<LogRetention>().ApplyAsync(new LogRetentionSettings(TimeSpan.FromDays(7), 5));
        }

        var page = (await c.Owner.GetFromJsonAsync<JsonObject>($"/api/application/{c.ApplicationId}/log?tail=50"))!;
        var messages = page["results"]!.AsArray().Select(l => l!["message"]!.GetValue<string>()).ToList();
        Assert.Equal(["recent 7", "recent 6", "recent 5", "recent 4", "recent 3"], messages);
        Assert.Equal(5, page["total"]!.GetValue<int>());
    }

    private void Write(Guid applicationId, string message, DateTimeOffset at) =>
        portal.Services.GetRequiredService<ILogSink>().Write(new LogEntry(applicationId, null, "web-1", LogStream.Stdout, message, at));

    /// <summary>Waits until the log writer has stored that many lines of the catalogue's application; answers the newest 500.</summary>
    internal static async Task<JsonObject> WaitForLinesAsync(Catalogue c, int count)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var page = (await c.Owner.GetFromJsonAsync<JsonObject>($"/api/application/{c.ApplicationId}/log?tail=500"))!;
            if (page["results"]!.AsArray().Count >= count)
            {
                return page;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{count} log lines never arrived.");
    }
}
