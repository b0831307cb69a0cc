using System.IO.Compression;
using Microsoft.EntityFrameworkCore;
using Platform.Domain.Access;
using Platform.Domain.Common;

namespace Platform.Domain.Billing.Invoices;

/// <summary>Hands an export request to the host's job queue, which runs it with retries.</summary>
public interface IInvoiceExportQueue
{
    void Enqueue(Guid exportId);
}

/// <summary>What one export sends: the same Message-Id on every attempt, and one ZIP of every invoice's PDF.</summary>
public sealed record ExportParcel(Guid ExportId, string Email, string MessageId, string Organization, int Invoices, string ZipName, byte[] Zip);

/// <summary>
/// "Email me all invoices" (<c>downloadInvoices</c>): a request is a row whose id is the idempotency key; the job
/// records the send before it starts it (Sending, with the message's Message-Id) and after the server took it (Sent).
/// A retry that finds Sent sends nothing. One that finds Sending sends the same message again, with the same
/// Message-Id: SMTP has no idempotency, so when a connection broke after the message's end but before the server's
/// answer, the guarantee is at least once with a Message-Id mail clients fold into one; whenever the server answered
/// (took it, or refused it), it is exactly once.
/// </summary>
public sealed class InvoiceExports(
    IDbContextFactory<PlatformDbContext> dbFactory, TenantAccess access, IBillingLedger ledger, IInvoiceRenderer renderer, IInvoiceExportQueue queue, TimeProvider clock)
{
    /// <summary>How long after a delivery a new request answers that delivery instead of mailing again.</summary>
    public static readonly TimeSpan RepeatAfter = TimeSpan.FromMinutes(10);

    public Task<Result<Guid>> RequestAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default) =>
        access.WithAsync<Guid>(caller, Resource.Organization(organizationId), Permission.ManageBilling, async _ =>
        {
            var billedTo = await ledger.BilledToAsync(organizationId, cancellationToken);
            if (string.IsNullOrWhiteSpace(billedTo?.Email))
            {
                return DomainError.Conflict("Add billing info with an email address first: the invoices are sent there.");
            }

            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            if (!await db.Invoices.AnyAsync(i => i.OrganizationId == organizationId, cancellationToken))
            {
                return DomainError.Conflict("There is no closed invoice to send yet.");
            }

            // One mail at a time per organization, and none again within ten minutes of the last: the billing email is
            // whatever an admin typed, and each request mails it a ZIP of every invoice. A repeat answers the same request.
            var recent = clock.GetUtcNow() - RepeatAfter;
            var pending = await db.InvoiceExports.Where(e => e.OrganizationId == organizationId && (e.State != ExportState.Sent || e.SentAt > recent))
                .OrderByDescending(e => e.CreatedAt).Select(e => (Guid?)e.Id).FirstOrDefaultAsync(cancellationToken);
            if (pending is { } existing)
            {
                return existing;
            }

            var id = Ids.New();
            db.InvoiceExports.Add(new InvoiceExport
            {
                Id = id,
                OrganizationId = organizationId,
                RequestedBy = caller.UserId,
                Email = billedTo.Email,
                State = ExportState.Requested,
                MessageId = $"invoices.{id:N}@platform.invalid",
                CreatedAt = clock.GetUtcNow(),
            });
            await db.SaveChangesAsync(cancellationToken);
            queue.Enqueue(id);
            return id;
        }, cancellationToken);

    /// <summary>
    /// Records that a send starts and answers what to send; null when the request was already delivered (or is gone).
    /// The ZIP is made before the record, so a failure to render leaves the request as it was.
    /// </summary>
    public async Task<ExportParcel?> BeginSendAsync(Guid exportId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var export = await db.InvoiceExports.Include(e => e.Organization).FirstOrDefaultAsync(e => e.Id == exportId, cancellationToken);
        if (export is null or { State: ExportState.Sent })
        {
            return null;
        }

        var invoices = await db.Invoices.AsNoTracking().Include(i => i.Organization)
            .Where(i => i.OrganizationId == export.OrganizationId).OrderBy(i => i.Number).ToListAsync(cancellationToken);
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var invoice in invoices)
            {
                var entry = archive.CreateEntry($"invoice-{invoice.Number}.pdf", CompressionLevel.Optimal);
                await using var stream = entry.Open();
                await stream.WriteAsync(renderer.Render(InvoiceService.DocumentOf(invoice)), cancellationToken);
            }
        }

        export.State = ExportState.Sending;
        export.Attempts++;
        await db.SaveChangesAsync(cancellationToken);
        return new ExportParcel(export.Id, export.Email, export.MessageId, export.Organization!.Name, invoices.Count, "invoices.zip", zip.ToArray());
    }

    /// <summary>The server took the message: the request is done, whatever happens to the job afterwards.</summary>
    public Task MarkSentAsync(Guid exportId, CancellationToken cancellationToken = default) =>
        SetStateAsync(exportId, ExportState.Sent, cancellationToken);

    /// <summary>The server answered with a refusal, so nothing went out: the next attempt sends as if for the first time.</summary>
    public Task MarkRefusedAsync(Guid exportId, CancellationToken cancellationToken = default) =>
        SetStateAsync(exportId, ExportState.Requested, cancellationToken);

    public async Task<ExportState?> StateAsync(Guid exportId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.InvoiceExports.Where(e => e.Id == exportId).Select(e => (ExportState?)e.State).FirstOrDefaultAsync(cancellationToken);
    }

    private async Task SetStateAsync(Guid exportId, ExportState state, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var sentAt = state == ExportState.Sent ? clock.GetUtcNow() : (DateTimeOffset?)null;
        // Sent is final: a late refusal from an older attempt never reopens a delivered request.
        await db.InvoiceExports.Where(e => e.Id == exportId && e.State != ExportState.Sent)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.State, state).SetProperty(e => e.SentAt, sentAt), cancellationToken);
    }
}
