namespace Platform.Domain.Billing;

/// <summary>Who sells, for VAT (section "Billing": Billing__SellerCountry, Billing__VatRatePercent).</summary>
public sealed record BillingSettings(string SellerCountry = "FR", decimal VatRatePercent = 20m)
{
    /// <summary>
    /// The VAT rate of an invoice: 0% (reverse charge) for a business of another EU country than the seller's that gave a
    /// valid VAT number; the seller's standard rate otherwise (consumers, businesses of the seller's country, and, kept
    /// simple, anyone outside the EU).
    /// </summary>
    public decimal VatRateFor(BillingInfo? info) =>
        info is { CountryCode: var country, VatNumber: { } vat }
        && country != SellerCountry
        && BillingInfoRules.EuropeanUnion.Contains(country)
        && BillingInfoRules.EuropeanUnion.Contains(SellerCountry)
        && BillingInfoRules.IsValidVat(country, vat)
            ? 0m
            : VatRatePercent;

    /// <summary>VAT on an amount, rounded once, half away from zero.</summary>
    public static long VatOf(long netCents, decimal ratePercent) =>
        (long)decimal.Round(netCents * ratePercent / 100m, 0, MidpointRounding.AwayFromZero);

}
