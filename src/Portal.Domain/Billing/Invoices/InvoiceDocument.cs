namespace Platform.Domain.Billing.Invoices;

/// <summary>Who is billed, as the organization's billing info says.</summary>
public sealed record BillingParty(string Name, string Email, string Address, string City, string Zip, string CountryCode, string? VatNumber);

/// <summary>One line of an invoice: an environment of a project, and what it cost in the month.</summary>
public sealed record InvoiceLine(string Project, string Environment, long AmountCents);

/// <summary>Everything an invoice's PDF shows; money in integer cents of <see cref="Currency"/>.</summary>
public sealed record InvoiceDocument(
    string Number,
    DateOnly IssuedOn,
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    string Currency,
    BillingParty BilledTo,
    IReadOnlyList<InvoiceLine> Lines,
    long SubtotalCents,
    long CreditCents,
    decimal VatRatePercent,
    long VatCents,
    long TotalCents);

/// <summary>Makes an invoice's PDF.</summary>
public interface IInvoiceRenderer
{
    byte[] Render(InvoiceDocument invoice);
}
