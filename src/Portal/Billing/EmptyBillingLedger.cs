using Platform.Domain.Billing;
using Platform.Domain.Billing.Invoices;

namespace Platform.Portal.Billing;

/// <summary>
/// Stands in for the cost side's ledger until it is registered: every month costs nothing and nobody is billed.
/// Registered only when no other ledger is (TryAdd), so the cost aggregation's ledger takes its place.
/// </summary>
public sealed class EmptyBillingLedger : IBillingLedger
{
    public Task<MonthlyCost> MonthAsync(Guid organizationId, DateOnly month, CancellationToken cancellationToken) =>
        Task.FromResult(new MonthlyCost(organizationId, month, "EUR", [], 0, 0, 0, 0, 0));

    public Task<BillingParty?> BilledToAsync(Guid organizationId, CancellationToken cancellationToken) => Task.FromResult<BillingParty?>(null);
}
