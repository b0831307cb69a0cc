using System.Collections.Concurrent;
using System.Diagnostics;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Addons;
using Platform.Tests.Deployments;

namespace Platform.Tests.Addons;

/// <summary>
/// A tenant's silent receivers against the portal's other jobs: deliveries run on a Hangfire queue of their own,
/// so however many of them hang, a job of the default queue (an invoice, the cost aggregation, a mail) still runs.
/// A portal of its own: the hanging attempts would hold the delivery workers of other tests.
/// </summary>
public sealed class AddonQueueTests(AddonDeliveryPortal addons) : IClassFixture<AddonDeliveryPortal>
{
    [Fact]
    public async Task HangingReceivers_HoldOnlyTheAddonWorkers_AndADefaultQueueJobStillRunsAtOnce()
    {
        await using var receiver = await TestReceiver.HangingAsync();
        var teams = new List<RuntimeTeam>();
        for (var i = 0; i < 6; i++)
        {
            var team = await addons.NewTeamAsync();
            await addons.InstallAsync(team, AddonKind.Webhook, new Dictionary<string, string>
            {
                [AddonSettingNames.WebhookUrl] = receiver.Url($"/silent/{i}").ToString(),
                [AddonSettingNames.SigningSecret] = "whsec-0123456789abcdef-signing",
            });
            teams.Add(team);
        }

        foreach (var team in teams)
        {
            (await team.Owner.PostAsync($"/api/project/{team.ProjectId}/addon/webhook/test", null)).EnsureSuccessStatusCode();
        }

        await Poll.UntilAsync(() => Task.FromResult(receiver.Holding), n => n >= 2, "the silent receiver to hold two attempts");
        var probe = Guid.NewGuid();
        var ran = DefaultQueueProbe.Expect(probe);
        var timer = Stopwatch.StartNew();
        addons.Portal.Services.GetRequiredService<IBackgroundJobClient>().Enqueue(() => DefaultQueueProbe.Touch(probe));

        await ran.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var holding = receiver.Holding;
        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(2.5), $"the default queue's job waited {timer.Elapsed.TotalSeconds:0.0} s behind the hanging deliveries");
        Assert.True(holding >= 1, "the receiver still held an attempt when the job ran");
    }
}

/// <summary>A job of the default queue that only says it ran (Hangfire runs public static methods).</summary>
public static class DefaultQueueProbe
{
    private static readonly ConcurrentDictionary<Guid, TaskCompletionSource> Ran = new();

    public static TaskCompletionSource Expect(Guid probe) => Ran.GetOrAdd(probe, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public static void Touch(Guid probe) => Ran.GetValueOrDefault(probe)?.TrySetResult();
}
