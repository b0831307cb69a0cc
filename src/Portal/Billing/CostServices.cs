using System.Globalization;
using Platform.Domain.Billing;
using Platform.Domain.Billing.Costs;

namespace Platform.Portal.Billing;

/// <summary>The cost side of billing: plans and prices, the aggregation and its job, the ledger the invoices read.</summary>
public static class CostServices
{
    public static IServiceCollection AddBillingCosts(this IServiceCollection services)
    {
        services.AddSingleton(sp => SettingsFrom(sp.GetRequiredService<IConfiguration>()));
        services.AddScoped<BillingService>();
        services.AddScoped<CostAggregation>();
        services.AddScoped<IBillingLedger, BillingLedger>();
        services.AddTransient<CostAggregationJob>();
        return services;
    }

    /// <summary>Billing:SellerCountry (FR), Billing:VatRatePercent (20), Billing:AggregationCron (every 5 minutes).</summary>
    public static BillingSettings SettingsFrom(IConfiguration configuration)
    {
        var section = configuration.GetSection("Billing");
        var defaults = new BillingSettings();
        var rate = decimal.TryParse(section["VatRatePercent"], NumberStyles.Number, CultureInfo.InvariantCulture, out var r) ? r : defaults.VatRatePercent;
        return new BillingSettings(
            string.IsNullOrWhiteSpace(section["SellerCountry"]) ? defaults.SellerCountry : section["SellerCountry"]!.Trim().ToUpperInvariant(),
            rate,
            string.IsNullOrWhiteSpace(section["AggregationCron"]) ? defaults.AggregationCron : section["AggregationCron"]!.Trim()).Checked();
    }
}
