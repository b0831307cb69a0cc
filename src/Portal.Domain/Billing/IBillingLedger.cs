using Platform.Domain.Billing.Invoices;

namespace Platform.Domain.Billing;

/// <summary>What an environment cost in a month: the lines of an invoice, in integer cents.</summary>
public sealed record EnvironmentCost(Guid ProjectId, string Project, Guid EnvironmentId, string Environment, Guid ClusterId, long AmountCents);

/// <summary>
/// An organization's month as the cost aggregation left it: every environment's cost, their sum, the credit spent on
/// it (codes are spent first), the VAT rate that applies to the organization's billing info, and what is left to pay.
/// </summary>
public sealed record MonthlyCost(
    Guid OrganizationId,
    DateOnly Month,
    string Currency,
    IReadOnlyList<EnvironmentCost> Environments,
    long SubtotalCents,
    long CreditCents,
    decimal VatRatePercent,
    long VatCents,
    long TotalCents);

/// <summary>The cost side of billing, as the invoice side reads it: a month's figures and who is billed.</summary>
public interface IBillingLedger
{
    /// <summary>The month (its first day) as aggregated so far; the month close aggregates it once more first.</summary>
    Task<MonthlyCost> MonthAsync(Guid organizationId, DateOnly month, CancellationToken cancellationToken);

    /// <summary>The organization's billing info as an invoice shows it; null when none was given.</summary>
    Task<BillingParty?> BilledToAsync(Guid organizationId, CancellationToken cancellationToken);
}
