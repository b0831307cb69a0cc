using System.Globalization;
using Platform.Domain.Billing;
using Platform.Domain.Billing.Costs;
using Platform.Portal.Infrastructure;

namespace Platform.Portal.Billing;

/// <summary>The cost side of billing: plans and prices, the aggregation and its job, the ledger the invoices read.</summary>
public static class CostServices
{
    public static IServiceCollection AddBillingCosts(this IServiceCollection services)
    {
        services.AddSingleton(sp => SettingsFrom(sp.GetRequiredService<IConfiguration>()));
        services.AddScoped<BillingService>();
        services.AddSingleton<BillingAttempts>();
        services.AddScoped<CostAggregation>();
        services.AddScoped<IBillingLedger, BillingLedger>();
        services.AddTransient<CostAggregationJob>();
        return services;
    }

    /// <summary>Billing:SellerCountry (FR) and Billing:VatRatePercent (20); a setting the portal cannot work with stops the start.</summary>
    public static BillingSettings SettingsFrom(IConfiguration configuration)
    {
        var section = configuration.GetSection("Billing");
        var defaults = new BillingSettings();
        var country = string.IsNullOrWhiteSpace(section["SellerCountry"]) ? defaults.SellerCountry : section["SellerCountry"]!.Trim().ToUpperInvariant();
        if (!BillingInfoRules.Countries.Contains(country))
        {
            throw new InvalidSettingException("Billing:SellerCountry must be an ISO 3166-1 alpha-2 code, such as FR.");
        }

        var rate = defaults.VatRatePercent;
        if (!string.IsNullOrWhiteSpace(section["VatRatePercent"])
            && !(decimal.TryParse(section["VatRatePercent"], NumberStyles.Number, CultureInfo.InvariantCulture, out rate) && rate is >= 0 and <= 100))
        {
            throw new InvalidSettingException("Billing:VatRatePercent must be a number from 0 to 100, such as 20.");
        }

        return new BillingSettings(country, rate);
    }
}
