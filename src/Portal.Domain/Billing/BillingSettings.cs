using Platform.Domain.Common;

namespace Platform.Domain.Billing;

/// <summary>
/// Who sells, for VAT (section "Billing": Billing__SellerCountry, Billing__VatRatePercent), and how often the cost is
/// aggregated (Billing__AggregationCron).
/// </summary>
public sealed record BillingSettings(string SellerCountry = "FR", decimal VatRatePercent = 20m, string AggregationCron = "*/5 * * * *")
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

    /// <summary>Checks the settings at start-up; the message names the setting.</summary>
    public BillingSettings Checked() =>
        !BillingInfoRules.Countries.Contains(SellerCountry)
            ? throw new ArgumentException($"Billing:SellerCountry must be an ISO 3166-1 alpha-2 code, such as FR; it is \"{Texts.Cut(SellerCountry, 10)}\".")
            : VatRatePercent is < 0 or > 100
                ? throw new ArgumentException("Billing:VatRatePercent must be between 0 and 100.")
                : this;
}
