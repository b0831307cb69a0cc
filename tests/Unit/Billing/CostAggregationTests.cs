using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Runtime;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Billing;

/// <summary>
/// Running time becomes cost: intervals written by the engine's transitions (deploy, stop) and the scale notices,
/// priced at the seeded default list (0.0012 cents per core-second, 0.0004 cents per GiB-second), on a clock the test moves.
/// </summary>
public sealed class CostAggregationTests(BillingPortal billing) : IClassFixture<BillingPortal>
{
    [Fact]
    public async Task KnownRunningTime_CostsExactlyItsPrice_ToTheCent()
    {
        var team = await billing.CreateTeamAsync();
        var application = await team.CreateApplicationAsync(cpu: 0.5, memoryMb: 512, instances: 2);
        await team.RunForAsync(application, new TimeSpan(3, 17, 0));
        billing.Clock.Advance(TimeSpan.FromHours(1)); // stopped: this hour costs nothing

        await billing.AggregateAsync(team.OrganizationId);
        var cost = await team.CurrentCostAsync();

        // 3 h 17 min = 11,820 s; 2 instances = 23,640 instance-seconds.
        // Per instance-second: 0.5 core × 0.0012 + 0.5 GiB × 0.0004 = 0.0006 + 0.0002 = 0.0008 cents.
        // 23,640 × 0.0008 = 18.912 cents, rounded once: 19 cents.
        var environment = cost["community_usage"]!["projects"]![0]!["environments"]![0]!;
        Assert.Equal(23_640, environment["consumed_time_in_seconds"]!.GetValue<long>());
        Assert.Equal(19, environment["cost"].Cents());
        Assert.Equal(19, cost["cost"].Cents());
        Assert.Equal(0.19m, cost["cost"]!["total"]!.GetValue<decimal>());
        Assert.Equal("EUR", cost["cost"]!["currency_code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Line_IsRoundedOnce_NotPerInterval()
    {
        var team = await billing.CreateTeamAsync();
        var application = await team.CreateApplicationAsync(cpu: 0.5, memoryMb: 512, instances: 1);
        await team.Owner.DeployOkAsync(application);
        billing.Clock.Advance(TimeSpan.FromSeconds(11_820));
        // The autoscaler's notice: a second instance from now on, for as long again.
        billing.Portal.Services.GetRequiredService<IRuntimeNotices>().Report(new RuntimeNotice(application, RuntimeNoticeKind.ScaledUp, "Added an instance (2 now).", 2));
        await Poll.UntilAsync(() => CountAsync($"SELECT count(*) FROM service_running_interval WHERE service_id = '{application}'"), n => n == 2, "the rescaled interval");
        billing.Clock.Advance(TimeSpan.FromSeconds(5_910));
        await team.StopAsync(application);

        await billing.AggregateAsync(team.OrganizationId);
        var cost = await team.CurrentCostAsync();

        // 11,820 s × 1 × 0.0008 = 9.456 cents, then 5,910 s × 2 × 0.0008 = 9.456 cents: 18.912, rounded once to 19
        // (each rounded on its own would make 9 + 9 = 18).
        Assert.Equal(19, cost["cost"].Cents());
        Assert.Equal(23_640, cost["community_usage"]!["projects"]![0]!["consumed_time_in_seconds"]!.GetValue<long>());
    }

    /// <summary>
    /// A scale notice names no release: one the previous release's autoscaler sent just before a new release went live
    /// rescaled the new release's interval (billing 5 instances where 1 runs, or 1 where 10 run). It must apply only to
    /// the release it is about.
    /// </summary>
    [Fact]
    public async Task ScaleNotice_OfThePreviousRelease_DoesNotRescaleTheNewOne()
    {
        var team = await billing.CreateTeamAsync();
        var application = await team.CreateApplicationAsync(cpu: 0.5, memoryMb: 512, instances: 1);
        await team.Owner.DeployOkAsync(application);
        var first = await GuidAsync($"SELECT deployment_id FROM service_running_interval WHERE service_id = '{application}' AND ended_at IS NULL");
        await team.Owner.DeployOkAsync(application);
        var second = await GuidAsync($"SELECT deployment_id FROM service_running_interval WHERE service_id = '{application}' AND ended_at IS NULL");
        Assert.NotEqual(first, second);

        var notices = billing.Portal.Services.GetRequiredService<IRuntimeNotices>();
        notices.Report(new RuntimeNotice(application, RuntimeNoticeKind.ScaledUp, "Added an instance (5 now).", 5, first));
        notices.Report(new RuntimeNotice(application, RuntimeNoticeKind.ScaledUp, "Added an instance (2 now).", 2, second));
        await Poll.UntilAsync(() => CountAsync($"SELECT count(*) FROM service_running_interval WHERE service_id = '{application}' AND deployment_id = '{second}'"), n => n == 2, "the rescaled interval");

        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM service_running_interval WHERE service_id = '{application}' AND instances = 5"));
        Assert.Equal(2, await CountAsync($"SELECT max(instances)::bigint FROM service_running_interval WHERE service_id = '{application}' AND ended_at IS NULL"));
    }

    [Fact]
    public async Task Aggregation_RunTwice_GivesTheSameFigures()
    {
        var team = await billing.CreateTeamAsync();
        var application = await team.CreateApplicationAsync(cpu: 1, memoryMb: 1024, instances: 1);
        await team.Owner.DeployOkAsync(application);
        billing.Clock.Advance(TimeSpan.FromHours(2));

        await billing.AggregateAsync(team.OrganizationId);
        var first = await team.CurrentCostAsync();
        await billing.AggregateAsync(team.OrganizationId);
        var second = await team.CurrentCostAsync();
        await team.StopAsync(application);

        // 7,200 s × (1 × 0.0012 + 1 × 0.0004) = 11.52 cents: 12.
        Assert.Equal(12, first["cost"].Cents());
        Assert.Equal(first.ToJsonString(), second.ToJsonString());
    }

    [Fact]
    public async Task RunningTime_DuringTheTrial_IsCountedButFree()
    {
        var team = await billing.CreateTeamAsync(trialOver: false);
        var application = await team.CreateApplicationAsync(cpu: 1, memoryMb: 1024, instances: 1);
        await team.RunForAsync(application, TimeSpan.FromHours(2));

        await billing.AggregateAsync(team.OrganizationId);
        var cost = await team.CurrentCostAsync();

        Assert.Equal(14, cost["remaining_trial_day"]!.GetValue<int>());
        Assert.Equal(0, cost["cost"].Cents());
        Assert.Equal(7_200, cost["community_usage"]!["projects"]![0]!["consumed_time_in_seconds"]!.GetValue<long>());
    }

    [Fact]
    public async Task Credit_IsSpentFirst_AndWhatIsLeftIsRemainingCredit()
    {
        var team = await billing.CreateTeamAsync();
        (await team.RedeemAsync("welcome-50")).EnsureSuccessStatusCode();
        var application = await team.CreateApplicationAsync(cpu: 4, memoryMb: 8192, instances: 2);
        await team.RunForAsync(application, TimeSpan.FromSeconds(1_000));

        await billing.AggregateAsync(team.OrganizationId);
        var cost = await team.CurrentCostAsync();
        var month = await MonthAsync(team.OrganizationId);

        // 1,000 s × 2 × (4 × 0.0012 + 8 × 0.0004) = 2,000 × 0.008 = 16 cents, all paid by the 5,000 cents of credit.
        Assert.Equal(16, cost["cost"].Cents());
        Assert.Equal(4_984, cost["remaining_credit"].Cents());
        Assert.Equal((16L, 16L, 0L), (month.SubtotalCents, month.CreditCents, month.TotalCents));
    }

    [Fact]
    public async Task BudgetAlerts_At80And100Percent_AreMailedToOwnersAndAdmins_OnceEachPerMonth()
    {
        var team = await billing.CreateTeamAsync();
        var admin = await billing.Portal.AddMemberAsync(team.Owner, team.OrganizationId, "ADMIN");
        await team.SetBudgetAsync(100);
        var application = await team.CreateApplicationAsync(cpu: 4, memoryMb: 8192, instances: 2); // 0.016 cents a second
        await team.Owner.DeployOkAsync(application);

        billing.Clock.Advance(TimeSpan.FromSeconds(5_000)); // 80 cents: 80%
        var at80 = await billing.AggregateAsync(team.OrganizationId);
        var again80 = await billing.AggregateAsync(team.OrganizationId);
        billing.Clock.Advance(TimeSpan.FromSeconds(1_250)); // 100 cents: 100%
        var at100 = await billing.AggregateAsync(team.OrganizationId);
        var again100 = await billing.AggregateAsync(team.OrganizationId);
        await team.StopAsync(application);

        Assert.Equal((1, 0, 1, 0), (at80.Alerts, again80.Alerts, at100.Alerts, again100.Alerts));
        foreach (var recipient in new[] { team.OwnerUser.Email, admin.User.Email })
        {
            foreach (var level in new[] { "80%", "100%" })
            {
                Assert.NotNull(await billing.Portal.WaitForMailAsync(m => m.Contains(recipient, StringComparison.Ordinal) && m.Contains($": {level} of this month", StringComparison.Ordinal)));
            }
        }

        await Task.Delay(TimeSpan.FromSeconds(2)); // what a second send would take to be written
        Assert.Equal(4, MailsTo(team.OwnerUser.Email).Count + MailsTo(admin.User.Email).Count);
        var states = (await team.Owner.GetResultsAsync($"/api/organization/{team.OrganizationId}/event")).Select(e => e!.State()).ToList();
        Assert.Equal(1, states.Count(s => s == "BUDGET_WARNING"));
        Assert.Equal(1, states.Count(s => s == "BUDGET_REACHED"));
    }

    [Fact]
    public async Task ClusterCost_IsTheSumOfItsEnvironments()
    {
        var team = await billing.CreateTeamAsync();
        var second = await team.Owner.PostForIdAsync($"/api/project/{team.ProjectId}/environment", new { name = "staging", mode = "STAGING" });
        var one = await team.CreateApplicationAsync(cpu: 1, memoryMb: 1024, instances: 1);
        var two = await team.CreateApplicationAsync(cpu: 1, memoryMb: 1024, instances: 1, environmentId: second);
        await team.Owner.DeployOkAsync(one);
        await team.Owner.DeployOkAsync(two);
        billing.Clock.Advance(TimeSpan.FromHours(1)); // 3,600 s × 0.0016 = 5.76 cents each: 6
        await team.StopAsync(one);
        await team.StopAsync(two);

        await billing.AggregateAsync(team.OrganizationId);
        var cluster = (await team.Owner.DefaultClusterAsync(team.OrganizationId)).Id();
        var clusterCost = await team.Owner.GetObjectAsync($"/api/cluster/{cluster}/currentCost");
        var project = (await team.CurrentCostAsync())["community_usage"]!["projects"]![0]!;

        Assert.Equal(12, clusterCost.Cents());
        Assert.Equal(12, project["cost"].Cents());
        Assert.Equal([6L, 6L], project["environments"]!.AsArray().Select(e => e!["cost"].Cents()));
    }

    private List<string> MailsTo(string email)
    {
        var folder = Path.Combine(billing.Portal.DataDirectory, "mail");
        return Directory.GetFiles(folder, "*.eml").Select(File.ReadAllText).Where(m => m.Contains(email, StringComparison.Ordinal) && m.Contains("of this month's budget", StringComparison.Ordinal)).ToList();
    }

    private async Task<Domain.Billing.MonthlyCost> MonthAsync(Guid organizationId)
    {
        using var scope = billing.Portal.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<Domain.Billing.IBillingLedger>()
            .MonthAsync(organizationId, DateOnly.FromDateTime(billing.Clock.GetUtcNow().UtcDateTime), CancellationToken.None);
    }

    private async Task<Guid> GuidAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(billing.Portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return (Guid)(await command.ExecuteScalarAsync())!;
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(billing.Portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
