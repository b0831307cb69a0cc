using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Addons;
using Platform.Domain.Live;
using Platform.Domain.Runtime;
using Platform.Portal.Addons;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Addons;

/// <summary>
/// Deliveries end to end: real deployments on the fake runtime, the outbox, the dispatcher, Hangfire's jobs, and real
/// receivers on loopback (webhook, Slack-shaped, SMTP) started by the tests.
/// </summary>
public sealed class AddonDeliveryTests(AddonDeliveryPortal addons) : IClassFixture<AddonDeliveryPortal>
{
    private const string SigningSecret = "whsec-0123456789abcdef-signing";

    private Task<ProjectAddon> InstallWebhookAsync(RuntimeTeam team, Uri url, string regex = ".*") =>
        addons.InstallAsync(team, AddonKind.Webhook,
            new Dictionary<string, string> { [AddonSettingNames.WebhookUrl] = url.ToString(), [AddonSettingNames.SigningSecret] = SigningSecret }, regex);

    [Fact]
    public async Task Webhook_IsSignedWithTheTimestamp_SoAReceiverVerifiesItAndRejectsASkewedOne()
    {
        var team = await addons.NewTeamAsync();
        await using var receiver = await TestReceiver.StartAsync();
        await InstallWebhookAsync(team, receiver.Url("/hooks/platform"));
        var environment = await AddonDeliveryPortal.CreateEnvironmentAsync(team, "production");
        var (application, _) = await addons.CreateApplicationAsync(team, environment);

        await team.Owner.DeployOkAsync(application);
        var succeeded = await receiver.WaitForAsync(r => r.Event == AddonEvents.DeploymentSucceeded, "the DEPLOYMENT_SUCCEEDED webhook");

        var header = succeeded.Headers["X-Platform-Signature"];
        var now = DateTimeOffset.UtcNow;
        var t = long.Parse(header.Split(',')[0]["t=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        var skewed = AddonSender.Signature(t - 600, succeeded.Body, SigningSecret);
        var delivery = (await addons.DeliveriesAsync(team.ProjectId)).Single(d => d.Event == AddonEvents.DeploymentSucceeded);
        Assert.True(WebhookVerifier.Verify(header, succeeded.Body, SigningSecret, now, TimeSpan.FromMinutes(5)), header);
        Assert.False(WebhookVerifier.Verify(header, succeeded.Body + " ", SigningSecret, now, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookVerifier.Verify(header, succeeded.Body, "another-secret-of-16+", now, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookVerifier.Verify(skewed, succeeded.Body, SigningSecret, now, TimeSpan.FromMinutes(5)));
        Assert.Equal(delivery.Id.ToString(), succeeded.Headers["X-Platform-Delivery"]);
        Assert.StartsWith("application/json", succeeded.Headers["Content-Type"], StringComparison.Ordinal);
        using var json = succeeded.Json;
        Assert.Equal("production", json.RootElement.GetProperty("environment").GetProperty("name").GetString());
        Assert.Equal("OK", json.RootElement.GetProperty("deployment").GetProperty("state").GetString());
        Assert.Contains(receiver.Requests, r => r.Event == AddonEvents.DeploymentQueued);
    }

    [Fact]
    public async Task FailingReceiver_IsRetriedWithGrowingGaps_ThenRecordedFailedAfterMaxAttempts()
    {
        var team = await addons.NewTeamAsync();
        await using var receiver = await TestReceiver.AnsweringAsync(500, "database down");
        await InstallWebhookAsync(team, receiver.Url("/fail"));

        var id = await QueueTestAsync(team, "webhook");
        var failed = await addons.WaitForDeliveryAsync(team.ProjectId, d => d.Id == id && d.Status == AddonDeliveryStatus.Failed, "the delivery to fail");

        var times = receiver.Requests.Select(r => r.At).ToList();
        Assert.Equal(AddonDeliveryPortal.MaxAttempts, failed.Attempts);
        Assert.Equal(AddonDeliveryPortal.MaxAttempts, times.Count);
        Assert.Equal(500, failed.HttpStatus);
        Assert.Equal("HTTP 500: database down", failed.Error);
        Assert.Null(failed.NextAttemptAt);
        var (first, second) = (times[1] - times[0], times[2] - times[1]);
        // Attempt n+1 waits base × 2^(n−1): 2 s, then 4 s.
        Assert.True(first >= TimeSpan.FromSeconds(AddonDeliveryPortal.RetryBaseSeconds), $"first gap {first}");
        Assert.True(second >= TimeSpan.FromSeconds(2 * AddonDeliveryPortal.RetryBaseSeconds), $"second gap {second}");
    }

    [Fact]
    public async Task Regex_SelectsTheEnvironments_OnlyTheMatchingOneDelivers()
    {
        var team = await addons.NewTeamAsync();
        await using var receiver = await TestReceiver.StartAsync();
        await InstallWebhookAsync(team, receiver.Url("/"), regex: "^prod-");
        var production = await AddonDeliveryPortal.CreateEnvironmentAsync(team, "prod-eu");
        var staging = await AddonDeliveryPortal.CreateEnvironmentAsync(team, "staging-eu");
        var (inStaging, _) = await addons.CreateApplicationAsync(team, staging);
        var (inProduction, _) = await addons.CreateApplicationAsync(team, production);

        await team.Owner.DeployOkAsync(inStaging);
        await team.Owner.DeployOkAsync(inProduction);
        await receiver.WaitForAsync(r => r.Event == AddonEvents.DeploymentSucceeded, "the production webhook");
        await WaitForEmptyOutboxAsync();

        var deliveries = await addons.DeliveriesAsync(team.ProjectId);
        Assert.All(deliveries, d => Assert.Equal(production, d.EnvironmentId));
        Assert.Equal([AddonEvents.DeploymentQueued, AddonEvents.DeploymentSucceeded], deliveries.Select(d => d.Event).Order().ToArray());
        Assert.DoesNotContain(receiver.Requests, r => r.Body.Contains(staging.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Slack_ReceiverGetsTheBlocks_WithServiceCommitStateAndLink()
    {
        var team = await addons.NewTeamAsync();
        await using var receiver = await TestReceiver.StartAsync();
        await addons.InstallAsync(team, AddonKind.Slack,
            new Dictionary<string, string> { [AddonSettingNames.SlackWebhookUrl] = receiver.Url("/services/T000/B000/slacktoken123").ToString() });
        var environment = await AddonDeliveryPortal.CreateEnvironmentAsync(team, "production");
        var (application, commit) = await addons.CreateApplicationAsync(team, environment, name: "checkout");

        await team.Owner.DeployOkAsync(application);
        var message = await receiver.WaitForAsync(r => r.Body.Contains("Deployment succeeded", StringComparison.Ordinal), "the Slack message");

        using var json = message.Json;
        var blocks = json.RootElement.GetProperty("blocks");
        var fields = blocks.EnumerateArray().Single(b => b.TryGetProperty("fields", out _)).GetProperty("fields").EnumerateArray()
            .Select(f => f.GetProperty("text").GetString()!).ToList();
        var button = blocks.EnumerateArray().Single(b => b.GetProperty("type").GetString() == "actions").GetProperty("elements")[0];
        Assert.Equal("header", blocks[0].GetProperty("type").GetString());
        Assert.Contains("Deployment succeeded", json.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains(fields, f => f.StartsWith("*Service(s)*", StringComparison.Ordinal) && f.Contains("checkout", StringComparison.Ordinal));
        Assert.Contains(fields, f => f.StartsWith("*Commit*", StringComparison.Ordinal) && f.Contains(commit[..7], StringComparison.Ordinal) && f.Contains("Add the checkout page", StringComparison.Ordinal));
        Assert.Contains(fields, f => f == "*State*\nOK");
        Assert.Contains(fields, f => f.StartsWith("*Environment*\nproduction", StringComparison.Ordinal));
        Assert.Equal(new Uri(addons.Portal.ServerAddress, $"environment/{environment}").ToString(), button.GetProperty("url").GetString());
    }

    [Fact]
    public async Task Email_ReachesTheSmtpServer_NamingTheStateAndEnvironment()
    {
        var team = await addons.NewTeamAsync();
        var recipient = $"ops-{CatalogueSteps.Unique()}@example.com";
        await addons.InstallAsync(team, AddonKind.Email,
            new Dictionary<string, string> { [AddonSettingNames.Recipients] = $"{recipient}, lead-{CatalogueSteps.Unique()}@example.com" });
        var environment = await AddonDeliveryPortal.CreateEnvironmentAsync(team, "production");
        var (application, commit) = await addons.CreateApplicationAsync(team, environment, name: "checkout");

        await team.Owner.DeployOkAsync(application);
        var mail = await Poll.UntilAsync(() => Task.FromResult(addons.Smtp.To(recipient).FirstOrDefault(m => m.Subject?.StartsWith("Deployment succeeded", StringComparison.Ordinal) == true)),
            m => m is not null, "the mail");

        Assert.Equal("Deployment succeeded: production (shop)", mail!.Subject);
        Assert.Equal(2, mail.To.Count);
        Assert.Contains("checkout", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains(commit[..7], mail.TextBody, StringComparison.Ordinal);
        Assert.Contains($"environment/{environment}", mail.TextBody, StringComparison.Ordinal);
        var delivery = await addons.WaitForDeliveryAsync(team.ProjectId, d => d.Event == AddonEvents.DeploymentSucceeded && d.Status == AddonDeliveryStatus.Delivered, "the delivery recorded");
        Assert.Equal(1, delivery.Attempts);
    }

    [Fact]
    public async Task DuplicateJob_OfTheSameAttempt_SendsNothing()
    {
        var team = await addons.NewTeamAsync();
        await using var receiver = await TestReceiver.StartAsync();
        var addon = await InstallWebhookAsync(team, receiver.Url("/"));
        // Added without a job of its own: the test runs the job, twice at once, as a duplicate enqueue would.
        var attempt = await addons.Portal.Services.GetRequiredService<AddonDeliveryStore>().AddTestAsync(addon, addons.Portal.ServerAddress, CancellationToken.None);

        await Task.WhenAll(RunJobAsync(attempt.DeliveryId, 1), RunJobAsync(attempt.DeliveryId, 1));
        await RunJobAsync(attempt.DeliveryId, 1);

        var delivery = (await addons.DeliveriesAsync(team.ProjectId)).Single();
        Assert.Single(receiver.Requests);
        Assert.Equal((AddonDeliveryStatus.Delivered, 1), (delivery.Status, delivery.Attempts));
    }

    [Fact]
    public async Task PendingDelivery_ThatNoJobClaimed_IsEnqueuedAgainByTheSweep()
    {
        var team = await addons.NewTeamAsync();
        await using var receiver = await TestReceiver.StartAsync();
        var addon = await InstallWebhookAsync(team, receiver.Url("/"));
        // As a portal that stopped between the delivery's commit and its job's enqueue left it.
        var attempt = await addons.Portal.Services.GetRequiredService<AddonDeliveryStore>().AddTestAsync(addon, addons.Portal.ServerAddress, CancellationToken.None);
        await using (var db = await addons.Db())
        {
            await db.AddonDeliveries.Where(d => d.Id == attempt.DeliveryId).ExecuteUpdateAsync(s => s.SetProperty(d => d.NextAttemptAt, DateTimeOffset.UtcNow.AddMinutes(-2)));
        }

        var delivered = await addons.WaitForDeliveryAsync(team.ProjectId, d => d.Status == AddonDeliveryStatus.Delivered, "the sweep's job");

        Assert.Equal(1, delivered.Attempts);
        Assert.Equal(attempt.DeliveryId.ToString(), Assert.Single(receiver.Requests).Headers["X-Platform-Delivery"]);
    }

    [Fact]
    public async Task InterruptedAttempt_IsRecordedFailed_AndTheNextAttemptIsANewOne()
    {
        var team = await addons.NewTeamAsync();
        await using var receiver = await TestReceiver.StartAsync();
        var addon = await InstallWebhookAsync(team, receiver.Url("/"));
        var attempt = await addons.Portal.Services.GetRequiredService<AddonDeliveryStore>().AddTestAsync(addon, addons.Portal.ServerAddress, CancellationToken.None);
        // As a portal that stopped in the middle of attempt 1 left it: claimed, sent or not, never recorded.
        await using (var db = await addons.Db())
        {
            await db.AddonDeliveries.Where(d => d.Id == attempt.DeliveryId).ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, AddonDeliveryStatus.Sending).SetProperty(d => d.Attempts, 1)
                .SetProperty(d => d.AttemptStartedAt, DateTimeOffset.UtcNow.AddMinutes(-10)));
        }

        var delivered = await addons.WaitForDeliveryAsync(team.ProjectId, d => d.Status == AddonDeliveryStatus.Delivered, "the retry after the sweep");

        Assert.Equal(2, delivered.Attempts);
        Assert.Single(receiver.Requests);
        await RunJobAsync(attempt.DeliveryId, 1);
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task HangingReceiver_DoesNotDelayTheDeployment_AndTheAttemptFailsOnTheTimeout()
    {
        var team = await addons.NewTeamAsync();
        await using var receiver = await TestReceiver.HangingAsync();
        await InstallWebhookAsync(team, receiver.Url("/slow"));
        var environment = await AddonDeliveryPortal.CreateEnvironmentAsync(team, "production");
        var gate = CatalogueSteps.Unique();
        var (application, _) = await addons.CreateApplicationAsync(team, environment, buildCommand: $"hold {gate}");

        var deployment = await RuntimeSteps.DeployAsync(team.Owner, application);
        await receiver.WaitForAsync(r => r.Event == AddonEvents.DeploymentQueued, "the QUEUED webhook to be held");
        addons.State.Gate(gate).Open();
        var ended = await team.Owner.EndedAsync(deployment);
        var holdingWhenEnded = receiver.Holding;

        Assert.Equal("OK", ended.State());
        Assert.True(holdingWhenEnded > 0, "The receiver no longer held the request when the deployment ended.");
        var timedOut = await addons.WaitForDeliveryAsync(team.ProjectId, d => d.Event == AddonEvents.DeploymentQueued && d.Error is not null, "the first attempt to time out");
        Assert.Equal($"timed out after {AddonDeliveryPortal.TimeoutSeconds} s", timedOut.Error);
        Assert.Null(timedOut.HttpStatus);
    }

    [Fact]
    public async Task OutOfMemoryKill_OfARunningApplication_IsDeliveredAsAnApplicationError()
    {
        var team = await addons.NewTeamAsync();
        await using var receiver = await TestReceiver.StartAsync();
        await InstallWebhookAsync(team, receiver.Url("/"));
        var environment = await AddonDeliveryPortal.CreateEnvironmentAsync(team, "production");
        var (application, commit) = await addons.CreateApplicationAsync(team, environment, name: "checkout");
        await team.Owner.DeployOkAsync(application);

        var notices = addons.Portal.Services.GetRequiredService<IRuntimeNotices>();
        notices.Report(new RuntimeNotice(application, RuntimeNoticeKind.InstanceExited, "Instance i-1 exited with code 1."));
        notices.Report(new RuntimeNotice(application, RuntimeNoticeKind.OomKilled, "Instance i-1 passed its memory request of 64 MB and was killed."));
        notices.Report(new RuntimeNotice(application, RuntimeNoticeKind.OomKilled, "Instance i-1 passed its memory request of 64 MB and was killed again."));
        var error = await receiver.WaitForAsync(r => r.Event == AddonEvents.ApplicationError, "the APPLICATION_ERROR webhook");
        await WaitForEmptyOutboxAsync();

        using var json = error.Json;
        var service = json.RootElement.GetProperty("services")[0];
        Assert.Equal(application.ToString(), service.GetProperty("id").GetString());
        Assert.Equal("ERROR", service.GetProperty("state").GetString());
        Assert.Equal(commit[..7], json.RootElement.GetProperty("commit").GetProperty("short_id").GetString());
        Assert.Contains("memory", json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        // One exit is no crash loop, and the second kill within the window is not told again.
        Assert.Single(receiver.Requests, r => r.Event == AddonEvents.ApplicationError);
    }

    [Fact]
    public async Task Secrets_NeverAppearInLogsEventsOrDeliveryRows()
    {
        var team = await addons.NewTeamAsync();
        const string slackToken = "xoxb-secret-slack-token-4242";
        const string urlToken = "secret-url-token-9f8e7d";
        const string signing = "secret-signing-key-31337-abcdef";
        // A hostile receiver: it fails, echoing the path (which holds the token) back in its body.
        await using var receiver = await TestReceiver.StartAsync(async (request, context, stopping) =>
        {
            context.Response.StatusCode = 502;
            await context.Response.WriteAsync($"no route for {request.Path} {context.Request.Headers["X-Platform-Signature"]}", stopping);
        });
        await addons.InstallAsync(team, AddonKind.Webhook,
            new Dictionary<string, string> { [AddonSettingNames.WebhookUrl] = receiver.Url($"/hooks/{urlToken}?key={urlToken}").ToString(), [AddonSettingNames.SigningSecret] = signing });
        await addons.InstallAsync(team, AddonKind.Slack,
            new Dictionary<string, string> { [AddonSettingNames.SlackWebhookUrl] = receiver.Url($"/services/T1/B1/{slackToken}").ToString() });
        var environment = await AddonDeliveryPortal.CreateEnvironmentAsync(team, "production");
        var (application, _) = await addons.CreateApplicationAsync(team, environment);

        await team.Owner.DeployOkAsync(application);
        await addons.WaitForDeliveryAsync(team.ProjectId, d => d.Kind == AddonKind.Webhook && d.Event == AddonEvents.DeploymentSucceeded && d.Attempts >= 2, "a retried webhook");
        await addons.WaitForDeliveryAsync(team.ProjectId, d => d.Kind == AddonKind.Slack && d.Event == AddonEvents.DeploymentSucceeded && d.Attempts >= 2, "a retried Slack message");

        await using var db = await addons.Db();
        var events = await db.Events.AsNoTracking().Where(e => e.EnvironmentId == environment).Select(e => e.Message).ToListAsync();
        var rows = (await addons.DeliveriesAsync(team.ProjectId)).Select(d => JsonSerializer.Serialize(d)).ToList();
        var everything = addons.Log.Entries.Select(e => e.Message).Concat(events).Concat(rows).ToList();
        Assert.Contains(rows, r => r.Contains("HTTP 502", StringComparison.Ordinal));
        foreach (var secret in new[] { slackToken, urlToken, signing })
        {
            Assert.DoesNotContain(everything, text => text.Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task EachCommittedChange_OfADelivery_IsAnnouncedToTheProjectsLivePages()
    {
        var team = await addons.NewTeamAsync();
        await using var receiver = await TestReceiver.StartAsync();
        var addon = await InstallWebhookAsync(team, receiver.Url("/"));
        var announced = new System.Collections.Concurrent.ConcurrentQueue<AddonDeliveryChanged>();
        using var subscription = addons.Portal.Services.GetRequiredService<LiveBus>().Subscribe(m =>
        {
            if (m is AddonDeliveryChanged changed && changed.ProjectId == team.ProjectId)
            {
                announced.Enqueue(changed);
            }
        });

        var id = await QueueTestAsync(team, "webhook");
        await addons.WaitForDeliveryAsync(team.ProjectId, d => d.Id == id && d.Status == AddonDeliveryStatus.Delivered, "the delivery");
        await Poll.UntilAsync(() => Task.FromResult(announced.Count), count => count >= 3, "three announcements");

        // Queued, claimed (Sending), recorded (Delivered).
        Assert.Equal(3, announced.Count);
        Assert.All(announced, m => Assert.Equal((addon.OrganizationId, id), (m.OrganizationId, m.DeliveryId)));
    }

    /// <summary>"Send a test notification" through the API (202 with the delivery's id).</summary>
    private static async Task<Guid> QueueTestAsync(RuntimeTeam team, string name) =>
        (await (await team.Owner.PostAsync($"/api/project/{team.ProjectId}/addon/{name}/test", null)).ReadJsonAsync(System.Net.HttpStatusCode.Accepted, "POST test")).Id();

    private async Task RunJobAsync(Guid deliveryId, int attempt)
    {
        using var scope = addons.Portal.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<AddonDeliveryJob>().SendAsync(deliveryId, attempt, CancellationToken.None);
    }

    private Task<int> WaitForEmptyOutboxAsync() => Poll.UntilAsync(async () =>
    {
        await using var db = await addons.Db();
        return await db.AddonOutbox.CountAsync();
    }, count => count == 0, "the outbox to be read");
}
