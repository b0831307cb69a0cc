using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Billing.Invoices;
using Platform.Domain.Common;
using Platform.Tests.Support;

namespace Platform.Tests.Billing.Invoices;

/// <summary>
/// The month close on the real ledger: running time from the engine's intervals on the fake runtime, aggregated by
/// the cost side, then closed by two runs at once after the month ended.
/// </summary>
public sealed class MonthCloseOnTheLedgerTests(BillingPortal billing) : IClassFixture<BillingPortal>
{
    [Fact]
    public async Task TwoClosesRacing_InvoiceEachOrganizationsAggregatedMonthOnce_NumberedWithoutGaps()
    {
        var teams = new List<BillingTeam>();
        var costs = new Dictionary<Guid, long>();
        for (var i = 1; i <= 3; i++)
        {
            var team = await billing.CreateTeamAsync();
            var application = await team.CreateApplicationAsync(cpu: 0.5, memoryMb: 512, instances: 1);
            await team.RunForAsync(application, TimeSpan.FromHours(10 * i));
            await billing.AggregateAsync(team.OrganizationId);
            costs[team.OrganizationId] = (await team.CurrentCostAsync())["cost"].Cents();
            teams.Add(team);
        }

        var month = MonthClose.MonthOf(billing.Clock.GetUtcNow());
        billing.Clock.SetUtcNow(new DateTimeOffset(month.AddMonths(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddMinutes(30));
        await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            await using var scope = billing.Portal.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<MonthClose>().CloseAsync(month);
        })));

        await using var db = await billing.Portal.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContextAsync();
        var invoices = await db.Invoices.AsNoTracking().Where(i => i.Month == month).ToListAsync();
        var sequences = invoices.Select(i => int.Parse(i.Number[5..], System.Globalization.CultureInfo.InvariantCulture)).Order();
        Assert.Equal(Enumerable.Range(1, invoices.Count), sequences);
        foreach (var team in teams)
        {
            var invoice = Assert.Single(invoices, i => i.OrganizationId == team.OrganizationId);
            Assert.True(costs[team.OrganizationId] > 0);
            Assert.Equal(costs[team.OrganizationId], invoice.SubtotalCents);
            Assert.Equal(invoice.SubtotalCents - invoice.CreditCents + invoice.VatCents, invoice.TotalCents);
            Assert.Contains(invoice.Lines, l => l.EnvironmentId == team.EnvironmentId);
            var listed = await team.Owner.GetResultsAsync($"/api/organization/{team.OrganizationId}/invoice");
            Assert.Equal(["PENDING", "POSTED"], listed.Select(l => l.Text("status")));
        }
    }
}
