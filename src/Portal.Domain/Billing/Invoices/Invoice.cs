using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Common;
using Platform.Domain.Organizations;

namespace Platform.Domain.Billing.Invoices;

/// <summary>The draft's statuses. PENDING is the open month, which has no row (it is computed from the ledger).</summary>
public enum InvoiceStatus
{
    Pending,
    Posted,
    Paid,
    PaymentDue,
    NotPaid,
    Voided,
    Unknown,
}

/// <summary>
/// A closed month of one organization: its number, the lines and amounts as the ledger gave them at the close, who
/// was billed then, and how collecting the payment went. Amounts are integer cents of <see cref="Currency"/>.
/// </summary>
public sealed class Invoice
{
    public Guid Id { get; init; } = Ids.New();

    public Guid OrganizationId { get; init; }

    public Organization? Organization { get; init; }

    /// <summary>The first day of the month billed; one invoice per organization and month.</summary>
    public DateOnly Month { get; init; }

    /// <summary><c>2026-000123</c>: the year it was issued, and its place in that year without gaps.</summary>
    public required string Number { get; init; }

    public DateOnly IssuedOn { get; init; }

    public required string Currency { get; init; }

    /// <summary>Who was billed at the close, kept as it was then (later changes to billing info do not rewrite invoices).</summary>
    public BillingParty? BilledTo { get; init; }

    public required IReadOnlyList<EnvironmentCost> Lines { get; init; }

    public long SubtotalCents { get; init; }

    public long CreditCents { get; init; }

    public decimal VatRatePercent { get; init; }

    public long VatCents { get; init; }

    public long TotalCents { get; init; }

    public InvoiceStatus Status { get; set; }

    public DateTimeOffset PostedAt { get; init; }

    /// <summary>Charges started, the one under way included; each has its own idempotency key.</summary>
    public int PaymentAttempts { get; set; }

    /// <summary>Set while an attempt is under way (claimed by one job run), cleared when its outcome is recorded.</summary>
    public DateTimeOffset? AttemptStartedAt { get; set; }

    /// <summary>When the next charge is due; null once nothing more will be tried.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    public DateTimeOffset? PaidAt { get; set; }

    public string? ChargeId { get; set; }

    /// <summary>The gateway's reason for the last failed attempt, fit to show.</summary>
    public string? PaymentError { get; set; }

    public DateTimeOffset? VoidedAt { get; set; }

    public Guid? VoidedBy { get; set; }

    public static string FormatNumber(int year, long sequence) => $"{year:D4}-{sequence:D6}";
}

/// <summary>The next invoice number of a year: taken with UPDATE … RETURNING in the transaction that inserts the invoice.</summary>
public sealed class InvoiceNumberCounter
{
    public int Year { get; init; }

    public long Next { get; set; }
}

internal sealed class InvoiceConfiguration : IEntityTypeConfiguration<Invoice>
{
    public void Configure(EntityTypeBuilder<Invoice> builder)
    {
        builder.ToTable("invoice");
        builder.Property(i => i.Id).ValueGeneratedNever();
        builder.Property(i => i.Number).HasMaxLength(20);
        builder.HasIndex(i => i.Number).IsUnique();
        builder.HasIndex(i => new { i.OrganizationId, i.Month }).IsUnique();
        builder.HasIndex(i => i.NextAttemptAt).HasFilter("next_attempt_at IS NOT NULL");
        builder.Property(i => i.Currency).HasMaxLength(3);
        builder.Property(i => i.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(i => i.VatRatePercent).HasPrecision(5, 2);
        builder.Property(i => i.PaymentError).HasMaxLength(500);
        builder.Property(i => i.ChargeId).HasMaxLength(200);
        builder.Property(i => i.BilledTo).HasJsonConversion();
        builder.Property(i => i.Lines).HasJsonConversion();
        builder.HasOne(i => i.Organization).WithMany().HasForeignKey(i => i.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class InvoiceNumberCounterConfiguration : IEntityTypeConfiguration<InvoiceNumberCounter>
{
    public void Configure(EntityTypeBuilder<InvoiceNumberCounter> builder)
    {
        builder.ToTable("invoice_number_counter");
        builder.HasKey(c => c.Year);
        builder.Property(c => c.Year).ValueGeneratedNever();
    }
}
