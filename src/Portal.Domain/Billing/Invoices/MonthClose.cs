using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;
using Platform.Domain.Billing.Cards;
using Platform.Domain.Billing.Payments;
using Platform.Domain.Common;

namespace Platform.Domain.Billing.Invoices;

/// <summary>
/// The invoice side of the monthly billing run: closes a month into one invoice per organization, then collects
/// them from the default card, retrying on the schedule of <see cref="InvoiceSettings"/>. Both halves are safe to
/// run twice at once: the close locks the organization's row before it looks, and a payment attempt is claimed by one
/// conditional UPDATE before the card is charged.
/// </summary>
public sealed partial class MonthClose(
    IDbContextFactory<PlatformDbContext> dbFactory,
    IBillingLedger ledger,
    CardService cards,
    IPaymentGateway gateway,
    InvoiceSettings settings,
    TimeProvider clock,
    ILogger<MonthClose> logger)
{
    /// <summary>An attempt claimed longer ago than this belongs to a run that died: another run takes it over, with the same idempotency key.</summary>
    public static readonly TimeSpan AbandonedAttempt = TimeSpan.FromMinutes(10);

    public static DateOnly MonthOf(DateTimeOffset time) => new(time.UtcDateTime.Year, time.UtcDateTime.Month, 1);

    /// <summary>
    /// Closes <paramref name="month"/> (its first day): one POSTED invoice per organization the ledger bills something for,
    /// numbered in the year of the close without gaps. Organizations already closed are left alone. Answers the
    /// invoices it made.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> CloseAsync(DateOnly month, CancellationToken cancellationToken = default)
    {
        List<Guid> organizations;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            organizations = await db.Organizations.Where(o => !db.Invoices.Any(i => i.OrganizationId == o.Id && i.Month == month))
                .OrderBy(o => o.Id).Select(o => o.Id).ToListAsync(cancellationToken);
        }

        var made = new List<Guid>();
        foreach (var organizationId in organizations)
        {
            var cost = await ledger.MonthAsync(organizationId, month, cancellationToken);
            if (cost.Environments.Count == 0 && cost.SubtotalCents == 0)
            {
                continue;
            }

            var billedTo = await ledger.BilledToAsync(organizationId, cancellationToken);
            if (await PostAsync(organizationId, month, cost, billedTo, cancellationToken) is { } invoiceId)
            {
                made.Add(invoiceId);
            }
        }

        return made;
    }

    /// <summary>Charges every invoice whose attempt is due; answers how many attempts were made.</summary>
    public async Task<int> CollectDueAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var abandoned = now - AbandonedAttempt;
        List<Guid> due;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            due = await Due(db.Invoices, now, abandoned).OrderBy(i => i.NextAttemptAt).Select(i => i.Id).ToListAsync(cancellationToken);
        }

        var attempts = 0;
        foreach (var invoiceId in due)
        {
            if (await ChargeAsync(invoiceId, cancellationToken))
            {
                attempts++;
            }
        }

        return attempts;
    }

    private static IQueryable<Invoice> Due(IQueryable<Invoice> invoices, DateTimeOffset now, DateTimeOffset abandoned) =>
        invoices.Where(i => (i.Status == InvoiceStatus.Posted || i.Status == InvoiceStatus.PaymentDue)
            && i.NextAttemptAt <= now && (i.AttemptStartedAt == null || i.AttemptStartedAt < abandoned));

    private async Task<Guid?> PostAsync(Guid organizationId, DateOnly month, MonthlyCost cost, BillingParty? billedTo, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // A second run closing the same organization waits here, then finds the invoice and leaves: it never takes a number.
        var organization = await db.Organizations.FromSql($"SELECT * FROM organization WHERE id = {organizationId} FOR NO KEY UPDATE")
            .OneOrNoneAsync(cancellationToken);
        if (organization is null || await db.Invoices.AnyAsync(i => i.OrganizationId == organizationId && i.Month == month, cancellationToken))
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var year = now.UtcDateTime.Year;
        // The counter row stays locked until this transaction ends; a rollback gives the number back, so none is skipped.
        var sequence = (await db.Database.SqlQuery<long>($"""
            INSERT INTO invoice_number_counter (year, next) VALUES ({year}, 2)
            ON CONFLICT (year) DO UPDATE SET next = invoice_number_counter.next + 1
            RETURNING next - 1 AS "Value"
            """).ToListAsync(cancellationToken)).Single();
        var invoice = new Invoice
        {
            OrganizationId = organizationId,
            Month = month,
            Number = Invoice.FormatNumber(year, sequence),
            IssuedOn = DateOnly.FromDateTime(now.UtcDateTime),
            Currency = cost.Currency,
            BilledTo = billedTo,
            Lines = cost.Environments,
            SubtotalCents = cost.SubtotalCents,
            CreditCents = cost.CreditCents,
            VatRatePercent = cost.VatRatePercent,
            VatCents = cost.VatCents,
            TotalCents = cost.TotalCents,
            Status = InvoiceStatus.Posted,
            PostedAt = now,
            NextAttemptAt = now,
        };
        db.Invoices.Add(invoice);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Only if the row lock was bypassed (a manual insert): the unique index keeps one invoice per month.
            return null;
        }

        await transaction.CommitAsync(cancellationToken);
        LogPosted(logger, invoice.Number, organizationId, month, invoice.TotalCents, invoice.Currency);
        return invoice.Id;
    }

    /// <summary>One payment attempt, claimed first so that two runs never charge the same attempt at once.</summary>
    private async Task<bool> ChargeAsync(Guid invoiceId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // A fresh claim starts attempt n + 1; taking over an abandoned one keeps its number, hence its idempotency key.
        var claimed = await Due(db.Invoices.Where(i => i.Id == invoiceId), now, now - AbandonedAttempt)
            .ExecuteUpdateAsync(s => s
                .SetProperty(i => i.PaymentAttempts, i => i.AttemptStartedAt == null ? i.PaymentAttempts + 1 : i.PaymentAttempts)
                .SetProperty(i => i.AttemptStartedAt, now), cancellationToken);
        if (claimed == 0)
        {
            return false;
        }

        var invoice = await db.Invoices.SingleAsync(i => i.Id == invoiceId, cancellationToken);
        var result = await CollectAsync(invoice, cancellationToken);
        invoice.AttemptStartedAt = null;
        if (result.Outcome == ChargeOutcome.Succeeded)
        {
            invoice.Status = InvoiceStatus.Paid;
            invoice.PaidAt = clock.GetUtcNow();
            invoice.ChargeId = result.ChargeId;
            invoice.PaymentError = null;
            invoice.NextAttemptAt = null;
        }
        else
        {
            var retry = invoice.PaymentAttempts <= settings.Retries.Count ? invoice.PostedAt + settings.Retries[invoice.PaymentAttempts - 1] : (DateTimeOffset?)null;
            invoice.Status = retry is null ? InvoiceStatus.NotPaid : InvoiceStatus.PaymentDue;
            invoice.NextAttemptAt = retry;
            invoice.PaymentError = Texts.Cut(result.Message ?? result.Outcome.ToString(), 500);
            LogPaymentFailed(logger, invoice.Number, invoice.PaymentAttempts, result.Outcome, invoice.Status);
        }

        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    private async Task<ChargeResult> CollectAsync(Invoice invoice, CancellationToken cancellationToken)
    {
        if (invoice.TotalCents <= 0)
        {
            return new ChargeResult(ChargeOutcome.Succeeded, null, null);
        }

        var token = await cards.DefaultCardTokenAsync(invoice.OrganizationId, cancellationToken);
        if (token is null)
        {
            return new ChargeResult(ChargeOutcome.Declined, null, "No card to charge: add one under Billing.");
        }

        try
        {
            return await gateway.ChargeAsync(token, invoice.TotalCents, invoice.Currency, $"invoice-{invoice.Id:N}-attempt-{invoice.PaymentAttempts}", cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The exception's message may quote the token: only its type is logged.
            LogGatewayFailed(logger, invoice.Number, e.GetType().Name);
            return new ChargeResult(ChargeOutcome.Failed, null, "The payment processor could not be reached.");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Invoice {Number} posted for organization {OrganizationId}, month {Month}: {TotalCents} cents {Currency}")]
    private static partial void LogPosted(ILogger logger, string number, Guid organizationId, DateOnly month, long totalCents, string currency);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payment attempt {Attempt} of invoice {Number} failed ({Outcome}); the invoice is now {Status}")]
    private static partial void LogPaymentFailed(ILogger logger, string number, int attempt, ChargeOutcome outcome, InvoiceStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The payment gateway failed while charging invoice {Number}: {ExceptionType}")]
    private static partial void LogGatewayFailed(ILogger logger, string number, string exceptionType);
}
