using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Billing.Invoices;
using Platform.Domain.Common;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Billing;

/// <summary>
/// Deleting an organization cascaded to its running intervals, month lines, month figures and account: an owner could
/// run all month and delete the organization before the month close, and nothing was left to bill. An organization
/// that owes for this month or the last one cannot be deleted; one that owes nothing (trial, credit) can.
/// </summary>
public sealed class OrganizationDeletionBillingTests(BillingPortal billing) : IClassFixture<BillingPortal>
{
    [Fact]
    public async Task Delete_OfAnOrganizationThatOwesItsUsage_Is409_AndKeepsTheRunningTime()
    {
        var team = await billing.CreateTeamAsync();
        var application = await team.CreateApplicationAsync(cpu: 1, memoryMb: 1024, instances: 1);
        await team.Owner.DeployOkAsync(application);
        billing.Clock.Advance(TimeSpan.FromHours(10)); // never aggregated: the deletion must see this running time itself

        var deleted = await team.Owner.DeleteAsync($"/api/organization/{team.OrganizationId}");

        await deleted.AssertProblemAsync(HttpStatusCode.Conflict, "deleting an organization that owes 58 cents");
        Assert.True(await CountAsync($"SELECT count(*) FROM service_running_interval WHERE organization_id = '{team.OrganizationId}'") > 0);
    }

    [Fact]
    public async Task Delete_OfAnOrganizationOnItsTrial_OwesNothing_AndIsAllowed()
    {
        var team = await billing.CreateTeamAsync(trialOver: false);
        var application = await team.CreateApplicationAsync(cpu: 1, memoryMb: 1024, instances: 1);
        await team.RunForAsync(application, TimeSpan.FromHours(10));

        var deleted = await team.Owner.DeleteAsync($"/api/organization/{team.OrganizationId}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    [Fact]
    public async Task Delete_WhileAnInvoiceOfAnEarlierMonthIsUnpaid_Is409_AndOncePaidIsAllowed()
    {
        var team = await billing.CreateTeamAsync(trialOver: false);
        var factory = billing.Portal.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>();
        Guid invoiceId;
        await using (var db = await factory.CreateDbContextAsync())
        {
            var invoice = new Invoice
            {
                OrganizationId = team.OrganizationId, Month = new DateOnly(2020, 1, 1), Number = $"2020-{Random.Shared.Next(100_000, 999_999)}", Currency = "EUR",
                Lines = [], SubtotalCents = 1234, TotalCents = 1234, Status = InvoiceStatus.NotPaid, IssuedOn = new DateOnly(2020, 2, 1),
            };
            db.Invoices.Add(invoice);
            await db.SaveChangesAsync();
            invoiceId = invoice.Id;
        }

        var refused = await team.Owner.DeleteAsync($"/api/organization/{team.OrganizationId}");
        await using (var db = await factory.CreateDbContextAsync())
        {
            await db.Invoices.Where(i => i.Id == invoiceId).ExecuteUpdateAsync(u => u.SetProperty(i => i.Status, InvoiceStatus.Paid));
        }

        var deleted = await team.Owner.DeleteAsync($"/api/organization/{team.OrganizationId}");

        await refused.AssertProblemAsync(HttpStatusCode.Conflict, "deleting an organization with an unpaid invoice");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(billing.Portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
