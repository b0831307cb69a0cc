using Microsoft.Extensions.Options;
using Platform.Domain.Addons;

namespace Platform.Portal.Addons;

public static class AddonDeliveryServices
{
    /// <summary>The outbox, the dispatcher, the job and its senders, and the outbound HTTP client (the options of section Addons are the domain's).</summary>
    public static IServiceCollection AddAddonDelivery(this IServiceCollection services)
    {
        services.AddSingleton<AddonDispatchSignal>();
        services.AddSingleton<AddonOutboxInterceptor>();
        services.AddSingleton<AddonDeliveryStore>();
        services.AddSingleton<AddonHttp>();
        services.AddTransient<AddonSender>();
        services.AddTransient<AddonDeliveryJob>();
        services.AddScoped<IAddonDeliveries, AddonDeliveries>();
        services.AddHostedService<AddonDispatcher>();
        // No logging handlers: the host's log the request's URL, and a webhook's URL is a secret.
        services.AddHttpClient(AddonHttp.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => AddonHttp.Handler(sp.GetRequiredService<IOptions<AddonSettings>>().Value))
            .RemoveAllLoggers();
        return services;
    }
}
