using Platform.Domain.Billing.Cards;
using Platform.Domain.Billing.Invoices;
using Platform.Domain.Billing.Payments;

namespace Platform.Portal.Billing;

/// <summary>The invoice side of billing: cards, the payment gateway, invoices, their PDF and links, the export.</summary>
public static class InvoiceServices
{
    public static IServiceCollection AddInvoicesAndCards(this IServiceCollection services)
    {
        services.AddScoped<CardService>();
        services.AddScoped<InvoiceService>();
        services.AddScoped<MonthClose>();
        services.AddScoped<InvoiceExports>();
        services.AddSingleton(sp => InvoiceSettings.Parse(sp.GetRequiredService<IConfiguration>()["Billing:PaymentRetryHours"]));
        services.AddSingleton<IInvoiceRenderer, PdfInvoiceRenderer>();
        services.AddSingleton<InvoiceLinks>();
        services.AddSingleton<IInvoiceExportQueue, HangfireInvoiceExportQueue>();
        services.AddTransient<MonthCloseJob>();
        services.AddTransient<PaymentRetryJob>();
        services.AddTransient<InvoiceExportJob>();
        services.AddHttpClient(StripeClientName);
        services.AddSingleton<IPaymentGateway>(sp =>
        {
            var configuration = sp.GetRequiredService<IConfiguration>();
            var key = configuration["Billing:StripeSecretKey"];
            if (string.IsNullOrWhiteSpace(key))
            {
                return new BuiltInPaymentGateway();
            }

            var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient(StripeClientName);
            var apiBase = configuration["Billing:StripeApiBase"];
            return new StripePaymentGateway(new Stripe.StripeClient(
                apiKey: key,
                httpClient: new Stripe.SystemNetHttpClient(http),
                apiBase: string.IsNullOrWhiteSpace(apiBase) ? Stripe.StripeClient.DefaultApiBase : apiBase.TrimEnd('/')));
        });
        return services;
    }

    private const string StripeClientName = "stripe";
}
