using System.Diagnostics;
using System.Text.Json.Nodes;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Security;

/// <summary>A portal whose instances get 10 s at most to get ready.</summary>
public sealed class ShortStartPortal : IAsyncLifetime
{
    public PortalFactory Portal { get; } = PortalFactory.With(new Dictionary<string, string?> { ["Runtime:StartTimeoutSeconds"] = "10" });

    public Task InitializeAsync() => Portal.InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)Portal).DisposeAsync();
}

/// <summary>
/// The engine runs two deployments at once for the whole platform, and a deployment holds its slot while its instances
/// start. An application whose readiness probe allows initial_delay 3600 s, period 3600 s and 100 failures (what the
/// rules accept) held its slot for up to 4 days: a tenant with two such environments kept every other tenant's
/// deployment QUEUED. Runtime:StartTimeoutSeconds caps that wait.
/// </summary>
public sealed class DeploymentSlotTests(ShortStartPortal start) : IClassFixture<ShortStartPortal>
{
    [Fact]
    public async Task ReadinessWaitsOfOneTenant_DoNotHoldTheEngineSlots_PastTheStartTimeout()
    {
        using var sample = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var attacker = await RuntimeTeam.OfAsync(start.Portal);
        var held = new List<JsonObject>();
        for (var i = 0; i < 2; i++)
        {
            var body = RuntimeSteps.ApplicationBody(sample.Url, "slow");
            body["start_command"] = "sleep 100000";
            body["healthchecks"] = new JsonObject
            {
                ["readiness_probe"] = new JsonObject { ["type"] = "TCP", ["initial_delay_seconds"] = 3600, ["period_seconds"] = 3600, ["timeout_seconds"] = 3600, ["failure_threshold"] = 100 },
                ["liveness_probe"] = null,
            };
            var application = await attacker.Owner.CreateApplicationAsync(await attacker.CreateEnvironmentAsync(), body);
            held.Add(await RuntimeSteps.DeployAsync(attacker.Owner, application));
        }

        foreach (var deployment in held)
        {
            await Poll.UntilAsync(() => attacker.Owner.DeploymentAsync(deployment), d => d.State() != "QUEUED", "the slow deployment to start");
        }

        // Another tenant: an account and an organization of its own.
        var (client, _) = await start.Portal.CreateUserClientAsync();
        var organization = await client.PostForIdAsync("/api/organization", new { name = $"other-{CatalogueSteps.Unique()}" });
        var project = await client.PostForIdAsync($"/api/organization/{organization}/project", new { name = "shop" });
        var other = new RuntimeTeam(client, project);
        var web = await other.Owner.CreateApplicationAsync(await other.CreateEnvironmentAsync(), RuntimeSteps.ApplicationBody(sample.Url));
        var watch = Stopwatch.StartNew();
        var queued = await RuntimeSteps.DeployAsync(other.Owner, web);
        try
        {
            var ended = await Poll.UntilAsync(() => other.Owner.DeploymentAsync(queued), d => d.State() is "OK" or "FAILED", "the other tenant's deployment to end", TimeSpan.FromSeconds(45));

            Assert.Equal("OK", ended.State());
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(45));
            foreach (var deployment in held)
            {
                Assert.Equal("FAILED", (await attacker.Owner.EndedAsync(deployment)).State());
            }
        }
        finally
        {
            foreach (var deployment in held)
            {
                if ((await attacker.Owner.DeploymentAsync(deployment)).State() is "DEPLOYMENT_IN_PROGRESS" or "QUEUED")
                {
                    await attacker.Owner.PostForDeploymentAsync($"/api/environment/{deployment.Text("environment_id")}/deployment/{deployment.Text("id")}/abortDeploy");
                }
            }
        }
    }
}
