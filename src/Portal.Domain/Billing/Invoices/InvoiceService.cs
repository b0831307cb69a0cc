using Microsoft.EntityFrameworkCore;
using Platform.Domain.Access;
using Platform.Domain.Common;

namespace Platform.Domain.Billing.Invoices;

/// <summary>An invoice in a list: the open month has no id and no number yet (it is PENDING, computed from the ledger).</summary>
public sealed record InvoiceView(Guid? Id, string? Number, DateOnly Date, DateOnly Month, InvoiceStatus Status, long TotalCents, string Currency);

/// <summary>
/// The invoices of an organization as the API and the billing pages read them: the closed months from their rows,
/// and the open month as the ledger has it so far. Only OWNER and ADMIN see them; only an OWNER voids one.
/// </summary>
public sealed class InvoiceService(
    IDbContextFactory<PlatformDbContext> dbFactory, TenantAccess access, IBillingLedger ledger, IInvoiceRenderer renderer, TimeProvider clock)
{
    public Task<Result<IReadOnlyList<InvoiceView>>> ListAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default) =>
        access.WithAsync<IReadOnlyList<InvoiceView>>(caller, Resource.Organization(organizationId), Permission.ManageBilling, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var closed = await db.Invoices.Where(i => i.OrganizationId == organizationId).OrderByDescending(i => i.Month)
                .Select(i => new InvoiceView(i.Id, i.Number, i.IssuedOn, i.Month, i.Status, i.TotalCents, i.Currency))
                .ToListAsync(cancellationToken);
            var month = MonthClose.MonthOf(clock.GetUtcNow());
            var open = await ledger.MonthAsync(organizationId, month, cancellationToken);
            return closed.Prepend(new InvoiceView(null, null, month.AddMonths(1), month, InvoiceStatus.Pending, open.TotalCents, open.Currency)).ToList();
        }, cancellationToken);

    /// <summary>Marks an unpaid invoice VOIDED, which stops its payment retries. A paid one is refunded, not voided.</summary>
    public Task<Result<InvoiceView>> VoidAsync(Caller caller, Guid invoiceId, CancellationToken cancellationToken = default) =>
        access.WithAsync<InvoiceView>(caller, Resource.Invoice(invoiceId), Permission.OwnOrganization, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var now = clock.GetUtcNow();
            // One statement, so a payment attempt claimed at the same moment (AttemptStartedAt set) is never voided under it.
            var voided = await db.Invoices
                .Where(i => i.Id == invoiceId && i.AttemptStartedAt == null
                    && (i.Status == InvoiceStatus.Posted || i.Status == InvoiceStatus.PaymentDue || i.Status == InvoiceStatus.NotPaid))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(i => i.Status, InvoiceStatus.Voided)
                    .SetProperty(i => i.VoidedAt, now)
                    .SetProperty(i => i.VoidedBy, caller.UserId)
                    .SetProperty(i => i.NextAttemptAt, (DateTimeOffset?)null), cancellationToken);
            var invoice = await db.Invoices.AsNoTracking().SingleAsync(i => i.Id == invoiceId, cancellationToken);
            if (voided == 0 && invoice.Status != InvoiceStatus.Voided)
            {
                return DomainError.Conflict(invoice.Status == InvoiceStatus.Paid
                    ? "A paid invoice cannot be voided; refund it instead."
                    : "A payment of this invoice is under way; try again in a minute.");
            }

            return View(invoice);
        }, cancellationToken);

    /// <summary>Whether the caller may download the invoice: the API then answers a signed link to its PDF.</summary>
    public Task<Result<Guid>> CheckDownloadAsync(Caller caller, Guid invoiceId, CancellationToken cancellationToken = default) =>
        access.WithAsync<Guid>(caller, Resource.Invoice(invoiceId), Permission.ManageBilling, _ => Task.FromResult<Result<Guid>>(invoiceId), cancellationToken);

    /// <summary>The PDF of an invoice, for whoever holds a valid signed link (checked by the caller); null when there is no such invoice.</summary>
    public async Task<(string Number, byte[] Pdf)?> RenderAsync(Guid invoiceId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var invoice = await db.Invoices.AsNoTracking().Include(i => i.Organization).FirstOrDefaultAsync(i => i.Id == invoiceId, cancellationToken);
        return invoice is null ? null : (invoice.Number, renderer.Render(DocumentOf(invoice)));
    }

    /// <summary>What an invoice's PDF shows; an organization without billing info is billed by its name.</summary>
    public static InvoiceDocument DocumentOf(Invoice invoice) => new(
        invoice.Number,
        invoice.IssuedOn,
        invoice.Month,
        invoice.Month.AddMonths(1).AddDays(-1),
        invoice.Currency,
        invoice.BilledTo ?? new BillingParty(invoice.Organization?.Name ?? "", "", "", "", "", "", null),
        invoice.Lines.Select(l => new InvoiceLine(l.Project, l.Environment, l.AmountCents)).ToList(),
        invoice.SubtotalCents,
        invoice.CreditCents,
        invoice.VatRatePercent,
        invoice.VatCents,
        invoice.TotalCents);

    private static InvoiceView View(Invoice i) => new(i.Id, i.Number, i.IssuedOn, i.Month, i.Status, i.TotalCents, i.Currency);
}
