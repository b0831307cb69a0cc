using Microsoft.EntityFrameworkCore;
using Platform.Domain.Billing.Invoices;
using Platform.Domain.Common;

namespace Platform.Domain.Billing.Costs;

/// <summary>
/// The month as the invoice side reads it, from the aggregation's tables: aggregated once more for the organization
/// first (idempotent), so a month close sees every second up to the month's end. A paid plan's fee is a line of its
/// own (empty ids). VAT follows <see cref="BillingSettings.VatRateFor"/> on what is left once credit is spent.
/// </summary>
public sealed class BillingLedger(IDbContextFactory<PlatformDbContext> dbFactory, CostAggregation aggregation, BillingSettings settings, TimeProvider clock) : IBillingLedger
{
    public async Task<MonthlyCost> MonthAsync(Guid organizationId, DateOnly month, CancellationToken cancellationToken)
    {
        month = new DateOnly(month.Year, month.Month, 1);
        await aggregation.RunAsync(clock.GetUtcNow(), organizationId, month, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var account = await BillingService.AccountAsync(db, organizationId, cancellationToken);
        var figures = await db.BillingMonths.AsNoTracking().FirstOrDefaultAsync(m => m.OrganizationId == organizationId && m.Month == month, cancellationToken);
        var lines = await db.EnvironmentMonthCosts.AsNoTracking().Where(c => c.OrganizationId == organizationId && c.Month == month)
            .OrderBy(c => c.ProjectName).ThenBy(c => c.EnvironmentName)
            .Select(c => new EnvironmentCost(c.ProjectId, c.ProjectName, c.EnvironmentId, c.EnvironmentName, c.ClusterId, c.AmountCents))
            .ToListAsync(cancellationToken);
        if (figures is { PlanFeeCents: > 0 })
        {
            lines.Add(new EnvironmentCost(Guid.Empty, $"{account.Plan!.Name} plan", Guid.Empty, "Monthly fee", Guid.Empty, figures.PlanFeeCents));
        }

        var subtotal = lines.Sum(l => l.AmountCents);
        var credit = Math.Min(figures?.CreditCents ?? 0, subtotal);
        var rate = settings.VatRateFor(account.Info);
        var vat = BillingSettings.VatOf(subtotal - credit, rate);
        return new MonthlyCost(organizationId, month, account.Currency, lines, subtotal, credit, rate, vat, subtotal - credit + vat);
    }

    public async Task<BillingParty?> BilledToAsync(Guid organizationId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var info = await db.BillingAccounts.Where(a => a.OrganizationId == organizationId).Select(a => a.Info).FirstOrDefaultAsync(cancellationToken);
        if (info is null)
        {
            return null;
        }

        var person = string.Join(' ', new[] { info.FirstName, info.LastName }.Where(n => n is not null));
        var name = info.Company ?? (person.Length > 0 ? person : info.Email);
        return new BillingParty(name, info.Email, info.Address ?? "", info.City ?? "", info.Zip ?? "", info.CountryCode, info.VatNumber);
    }
}
