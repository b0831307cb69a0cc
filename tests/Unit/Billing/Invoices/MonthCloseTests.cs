using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Billing.Invoices;
using Platform.Domain.Common;
using Platform.Portal.Billing;
using Platform.Tests.Support;

namespace Platform.Tests.Billing.Invoices;

/// <summary>
/// The month close and the payments, on the portal's real services with the clock in the test's hands. The ledger is
/// <see cref="FixedLedger"/>: figures set by each test, in place of the cost aggregation built beside this.
/// </summary>
public sealed class MonthCloseTests(InvoicePortal billing) : IClassFixture<InvoicePortal>
{
    [Fact]
    public async Task TwoClosesRacing_MakeOneInvoicePerOrganization_NumberedWithoutGapsOrDuplicates()
    {
        var organizations = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            var organization = await billing.NewOrganizationAsync();
            billing.Ledger.Set(organization.Id, [("web", "production", 1_000 + i)]);
            organizations.Add(organization.Id);
        }

        var month = billing.MonthsAgo(1);
        var runs = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => billing.CloseAsync(month))));

        await using var db = await billing.Portal.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContextAsync();
        var ours = await db.Invoices.Where(i => organizations.Contains(i.OrganizationId)).ToListAsync();
        var year = billing.Clock.GetUtcNow().Year;
        var sequences = (await db.Invoices.Where(i => i.Number.StartsWith($"{year}-")).Select(i => i.Number).ToListAsync())
            .Select(n => int.Parse(n[5..], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(organizations.Order(), ours.Where(i => i.Month == month).Select(i => i.OrganizationId).Order());
        Assert.Equal(runs.Sum(r => r.Count), runs.SelectMany(r => r).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, sequences.Count), sequences);
        Assert.All(ours, i => Assert.Equal(InvoiceStatus.Posted, i.Status));
    }

    [Fact]
    public async Task DeclinedCard_WalksTheInvoiceThroughPaymentDue_ToNotPaid_OnTheRetrySchedule()
    {
        var organization = await billing.NewOrganizationAsync();
        billing.Ledger.Set(organization.Id, [("api", "production", 4_200)]);
        await organization.AddCardAsync("4000 0000 0000 9995");
        var month = billing.MonthsAgo(2);
        await billing.CloseAsync(month);

        async Task<(InvoiceStatus, int)> AfterCollectAsync(TimeSpan advance)
        {
            billing.Clock.Advance(advance);
            await billing.CollectAsync();
            var invoice = await billing.InvoiceAsync(organization.Id, month);
            return (invoice.Status, invoice.PaymentAttempts);
        }

        Assert.Equal((InvoiceStatus.PaymentDue, 1), await AfterCollectAsync(TimeSpan.Zero));
        Assert.Equal((InvoiceStatus.PaymentDue, 1), await AfterCollectAsync(TimeSpan.FromHours(23)));
        Assert.Equal((InvoiceStatus.PaymentDue, 2), await AfterCollectAsync(TimeSpan.FromHours(1)));
        Assert.Equal((InvoiceStatus.PaymentDue, 3), await AfterCollectAsync(TimeSpan.FromHours(48)));
        Assert.Equal((InvoiceStatus.NotPaid, 4), await AfterCollectAsync(TimeSpan.FromHours(96)));
        Assert.Equal((InvoiceStatus.NotPaid, 4), await AfterCollectAsync(TimeSpan.FromDays(30)));
        var stored = await billing.InvoiceAsync(organization.Id, month);
        Assert.Equal(("Your card has insufficient funds.", null), (stored.PaymentError, stored.NextAttemptAt));
        var listed = await organization.Owner.GetResultsAsync($"/api/organization/{organization.Id}/invoice");
        Assert.Contains(listed, i => i.Text("number") == stored.Number && i.Text("status") == "NOT_PAID");
    }

    [Fact]
    public async Task TwoCollectionsRacing_MakeOneAttempt()
    {
        var organization = await billing.NewOrganizationAsync();
        billing.Ledger.Set(organization.Id, [("api", "production", 999)]);
        await organization.AddCardAsync("4000 0000 0000 0341");
        var month = billing.MonthsAgo(6);
        await billing.CloseAsync(month);

        await Task.WhenAll(Task.Run(billing.CollectAsync), Task.Run(billing.CollectAsync));

        var invoice = await billing.InvoiceAsync(organization.Id, month);
        Assert.Equal((InvoiceStatus.PaymentDue, 1, "Your card was declined."), (invoice.Status, invoice.PaymentAttempts, invoice.PaymentError));
    }

    [Fact]
    public async Task GoodCard_IsCharged_AndTheInvoiceIsPaid()
    {
        var organization = await billing.NewOrganizationAsync();
        billing.Ledger.Set(organization.Id, [("api", "production", 2_500), ("api", "staging", 300)], creditCents: 800, vatPercent: 20);
        await organization.AddCardAsync(InvoiceSteps.Visa);
        var month = billing.MonthsAgo(3);

        await billing.CloseAsync(month);
        await billing.CollectAsync();

        var invoice = await billing.InvoiceAsync(organization.Id, month);
        Assert.Equal((InvoiceStatus.Paid, 1, 2_400L), (invoice.Status, invoice.PaymentAttempts, invoice.TotalCents));
        Assert.StartsWith("ch_builtin_", invoice.ChargeId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenMonth_IsListedAsPending_FromTheLedger_WithoutANumber()
    {
        var organization = await billing.NewOrganizationAsync();
        billing.Ledger.Set(organization.Id, [("web", "production", 1_999)]);

        var first = (await organization.Owner.GetResultsAsync($"/api/organization/{organization.Id}/invoice"))[0]!;

        Assert.Equal(("PENDING", 1_999L, 19.99m, "EUR"), (first.Text("status"), first["total_in_cents"]!.GetValue<long>(), first["total"]!.GetValue<decimal>(), first.Text("currency_code")));
        Assert.Null(first["id"]);
        Assert.Null(first["number"]);
    }

    [Fact]
    public async Task Owner_VoidsAnUnpaidInvoice_WhichStopsItsRetries()
    {
        var organization = await billing.NewOrganizationAsync();
        billing.Ledger.Set(organization.Id, [("web", "production", 700)]);
        var month = billing.MonthsAgo(4);
        await billing.CloseAsync(month);
        await billing.CollectAsync();
        var invoice = await billing.InvoiceAsync(organization.Id, month);

        var voided = await (await organization.Owner.PostAsync($"/api/invoice/{invoice.Id}/void", null)).ReadJsonAsync(HttpStatusCode.OK, "void");
        billing.Clock.Advance(TimeSpan.FromDays(8));
        await billing.CollectAsync();

        Assert.Equal("VOIDED", voided.Text("status"));
        var after = await billing.InvoiceAsync(organization.Id, month);
        Assert.Equal((InvoiceStatus.Voided, 1), (after.Status, after.PaymentAttempts));
    }

    [Fact]
    public async Task AdminCannotVoid_OnlyTheOwner()
    {
        var organization = await billing.NewOrganizationAsync();
        var admin = await billing.Portal.AddMemberAsync(organization.Owner, organization.Id, "ADMIN");
        billing.Ledger.Set(organization.Id, [("web", "production", 700)]);
        var month = billing.MonthsAgo(5);
        await billing.CloseAsync(month);
        var invoice = await billing.InvoiceAsync(organization.Id, month);

        var response = await admin.Client.PostAsJsonAsync($"/api/invoice/{invoice.Id}/void", new { });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public void RetrySchedule_ComesFromTheSetting() =>
        Assert.Equal([TimeSpan.FromHours(24), TimeSpan.FromHours(72), TimeSpan.FromHours(168)], billing.Portal.Services.GetRequiredService<InvoiceSettings>().Retries);

    [Fact]
    public void MonthCloseJob_IsRegisteredForTheFirstOfTheMonth()
    {
        var storage = billing.Portal.Services.GetRequiredService<Hangfire.JobStorage>();
        using var hangfire = storage.GetConnection();
        var jobs = Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(hangfire);

        Assert.Contains(jobs, j => j.Id == MonthCloseJob.Id && j.Cron == "30 0 1 * *");
        Assert.Contains(jobs, j => j.Id == PaymentRetryJob.Id);
    }
}
