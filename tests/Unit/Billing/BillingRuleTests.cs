using Platform.Domain.Billing;

namespace Platform.Tests.Billing;

/// <summary>The VAT rule of the ledger (seller in FR at 20% by default) and the VAT formats, without a database.</summary>
public sealed class BillingRuleTests
{
    private static readonly BillingSettings Seller = new();

    [Theory]
    [InlineData("DE", "DE129273398", 0)] // a business of another EU country: reverse charge
    [InlineData("FR", "FR40303265045", 20)] // a business of the seller's country
    [InlineData("DE", null, 20)] // a consumer
    [InlineData("US", "123456789", 20)] // outside the EU: the standard rate, kept simple
    public void VatRate_FollowsTheCustomersCountryAndNumber(string country, string? vat, int expected) =>
        Assert.Equal(expected, Seller.VatRateFor(new BillingInfo(null, null, "billing@example.com", null, null, null, null, country, "Acme", vat)));

    [Fact]
    public void Vat_IsRoundedOnce_HalfAwayFromZero() =>
        Assert.Equal((3L, 2L), (BillingSettings.VatOf(13, 20m), BillingSettings.VatOf(12, 20m))); // 2.6 → 3, 2.4 → 2

    [Theory]
    [InlineData("GR", "EL123456789", true)]
    [InlineData("NL", "NL123456789B01", true)]
    [InlineData("AT", "ATU12345678", true)]
    [InlineData("AT", "AT12345678", false)]
    [InlineData("ES", "ESX1234567X", true)]
    public void VatFormats_AreThoseOfTheCountry(string country, string vat, bool valid) =>
        Assert.Equal(valid, BillingInfoRules.IsValidVat(country, vat));
}
