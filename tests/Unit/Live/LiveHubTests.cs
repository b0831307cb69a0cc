using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Logs;
using Platform.Tests.Support;

namespace Platform.Tests.Live;

/// <summary>The live hub: who may subscribe to what, and what a subscriber receives.</summary>
public sealed class LiveHubTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Subscribe_ToAnotherOrganizationsEnvironment_IsRefusedAsNotFound()
    {
        var mine = await Catalogue.CreateAsync(portal, "mine");
        var theirs = await Catalogue.CreateAsync(portal, "theirs");
        await using var hub = await portal.ConnectHubAsync(mine.Owner);

        var refused = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync("SubscribeEnvironment", theirs.EnvironmentId));

        Assert.Contains("404", refused.Message, StringComparison.Ordinal);
        await hub.InvokeAsync("SubscribeEnvironment", mine.EnvironmentId);
    }

    [Fact]
    public async Task CookieConnection_FromAnotherOrigin_IsRefused_AndFromThePortalAccepted()
    {
        var c = await Catalogue.CreateAsync(portal, "cookie");
        var browser = await portal.SignedInClientAsync(c.OwnerUser);

        var foreign = await browser.NegotiateFromAsync("/hubs/live", "https://evil.example");
        var own = await browser.NegotiateFromAsync("/hubs/live", portal.ServerAddress.GetLeftPart(UriPartial.Authority));

        Assert.Equal(HttpStatusCode.Forbidden, foreign);
        Assert.Equal(HttpStatusCode.OK, own);
    }

    [Fact]
    public async Task RemovedMember_StopsReceiving_AtTheNextCheck()
    {
        var c = await Catalogue.CreateAsync(portal, "removal");
        var member = await portal.AddMemberAsync(c.Owner, c.OrganizationId, "VIEWER");
        await using var hub = await portal.ConnectHubAsync(member.Client);
        var unsubscribed = hub.Listen("unsubscribed");
        await hub.InvokeAsync("SubscribeEnvironment", c.EnvironmentId);

        (await c.Owner.DeleteAsync($"/api/organization/{c.OrganizationId}/member/{member.UserId}")).EnsureSuccessStatusCode();
        await portal.Services.GetRequiredService<Platform.Portal.Live.LiveSubscriptions>().SweepAsync();

        var notice = await unsubscribed.NextAsync(_ => true);
        Assert.Equal($"environment:{c.EnvironmentId}", notice["group"]!.GetValue<string>());
    }

    [Fact]
    public async Task Connect_WithoutCredentials_IsRefused()
    {
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(portal.ServerAddress, "/hubs/live")).Build();

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => hub.StartAsync());

        Assert.True(refused.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Found, $"answered {refused.StatusCode}");
    }

    [Fact]
    public async Task Subscriber_ReceivesTheDeploymentAndTheStatusChangesOfItsEnvironment()
    {
        var c = await Catalogue.CreateAsync(portal, "watched");
        await using var hub = await portal.ConnectHubAsync(c.Owner);
        var deployments = hub.Listen("deployment");
        var statuses = hub.Listen("status");
        await hub.InvokeAsync("SubscribeEnvironment", c.EnvironmentId);

        // The catalogue's repository does not exist: the deployment runs its fetch and fails, every step pushed.
        var deployment = await c.Owner.DeployAsync(c.ApplicationId);

        var ended = await deployments.NextAsync(d => d["id"]!.GetValue<string>() == deployment.ToString() && d["status"]!["state"]!.GetValue<string>() == "FAILED");
        var buildError = await statuses.NextAsync(s => s["service"] is JsonObject && s["status"]!["state"]!.GetValue<string>() == "BUILD_ERROR");
        Assert.Equal("web", buildError["service"]!["name"]!.GetValue<string>());
        Assert.Equal("FAILED", ended["services"]![0]!["status"]!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Subscriber_ReceivesTheLogLinesOfItsApplication_WithTheirExplanation()
    {
        var c = await Catalogue.CreateAsync(portal, "logged");
        await using var hub = await portal.ConnectHubAsync(c.Owner);
        var logs = hub.Listen("logs");
        await hub.InvokeAsync("SubscribeApplication", c.ApplicationId);

        portal.Services.GetRequiredService<ILogSink>().Write(
            new LogEntry(c.ApplicationId, null, "web-1", LogStream.Stderr, "Error: Cannot find module 'express'", DateTimeOffset.UtcNow));

        var batch = await logs.NextAsync(l => l.AsArray().Count > 0);
        var line = batch.AsArray()[0]!;
        Assert.Equal("Error: Cannot find module 'express'", line["message"]!.GetValue<string>());
        Assert.Contains("Node.js module", line["message_human_explanation"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("STDERR", line["stream"]!.GetValue<string>());
    }
}
