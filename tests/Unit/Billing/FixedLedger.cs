using System.Collections.Concurrent;
using Platform.Domain.Billing;
using Platform.Domain.Billing.Invoices;

namespace Platform.Tests.Billing;

/// <summary>
/// An <see cref="IBillingLedger"/> over figures the test sets, standing in for the cost side's ledger (built beside
/// this, on another branch): the invoice side's tests are about closing, numbering, charging and sending whatever the
/// ledger says, not about how the cost was aggregated.
/// </summary>
public sealed class FixedLedger : IBillingLedger
{
    private readonly ConcurrentDictionary<Guid, Func<DateOnly, MonthlyCost>> _months = new();
    private readonly ConcurrentDictionary<Guid, BillingParty> _parties = new();

    /// <summary>The organization's every month costs these lines, with the given credit and VAT rate; totals are derived.</summary>
    public MonthlyCost Set(Guid organizationId, IReadOnlyList<(string Project, string Environment, long Cents)> lines, long creditCents = 0, decimal vatPercent = 0)
    {
        MonthlyCost For(DateOnly month)
        {
            var environments = lines.Select(l => new EnvironmentCost(Guid.NewGuid(), l.Project, Guid.NewGuid(), l.Environment, Guid.NewGuid(), l.Cents)).ToList();
            var subtotal = environments.Sum(e => e.AmountCents);
            var credit = Math.Min(creditCents, subtotal);
            var vat = (long)Math.Round((subtotal - credit) * vatPercent / 100m, MidpointRounding.AwayFromZero);
            return new MonthlyCost(organizationId, month, "EUR", environments, subtotal, credit, vatPercent, vat, subtotal - credit + vat);
        }

        _months[organizationId] = For;
        return For(default);
    }

    public void Bill(Guid organizationId, BillingParty party) => _parties[organizationId] = party;

    public Task<MonthlyCost> MonthAsync(Guid organizationId, DateOnly month, CancellationToken cancellationToken) =>
        Task.FromResult(_months.TryGetValue(organizationId, out var of) ? of(month) : new MonthlyCost(organizationId, month, "EUR", [], 0, 0, 0, 0, 0));

    public Task<BillingParty?> BilledToAsync(Guid organizationId, CancellationToken cancellationToken) =>
        Task.FromResult(_parties.TryGetValue(organizationId, out var party) ? party : null);
}
