using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Common;
using Platform.Domain.Organizations;

namespace Platform.Domain.Billing.Invoices;

/// <summary>Where an "email me all invoices" request stands; the job moves it forward and never back past Sent.</summary>
public enum ExportState
{
    /// <summary>Asked for; no send has started (or the last one was refused by the server, so nothing went out).</summary>
    Requested,

    /// <summary>A send started with <see cref="InvoiceExport.MessageId"/>; whether the server took it is not known yet.</summary>
    Sending,

    /// <summary>The server took the message: nothing more is ever sent for this request.</summary>
    Sent,
}

/// <summary>
/// One <c>downloadInvoices</c> request: its id is the idempotency key the job runs under, and its state records the
/// delivery before and after the SMTP send, so a retried job sends at most what the record allows.
/// </summary>
public sealed class InvoiceExport
{
    public Guid Id { get; init; } = Ids.New();

    public Guid OrganizationId { get; init; }

    public Organization? Organization { get; init; }

    public Guid RequestedBy { get; init; }

    public required string Email { get; init; }

    public ExportState State { get; set; }

    /// <summary>The Message-Id of the one message this request sends, the same on every attempt.</summary>
    public required string MessageId { get; init; }

    public int Attempts { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? SentAt { get; set; }
}

internal sealed class InvoiceExportConfiguration : IEntityTypeConfiguration<InvoiceExport>
{
    public void Configure(EntityTypeBuilder<InvoiceExport> builder)
    {
        builder.ToTable("invoice_export");
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.Email).HasMaxLength(254);
        builder.Property(e => e.MessageId).HasMaxLength(200);
        builder.Property(e => e.State).HasConversion<string>().HasMaxLength(20);
        builder.HasOne(e => e.Organization).WithMany().HasForeignKey(e => e.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
