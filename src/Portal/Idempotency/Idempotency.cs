using Microsoft.AspNetCore.OpenApi;
using Platform.Domain.Idempotency;

namespace Platform.Portal.Idempotency;

/// <summary>The feature's services and its place in the pipeline.</summary>
public static class Idempotency
{
    public static IServiceCollection AddIdempotency(this IServiceCollection services)
    {
        services.AddScoped<IdempotencyService>();
        services.AddTransient<IdempotencyKeyCleanupJob>();
        // Beside the document's own transformers, for every document: the header is on every write.
        services.ConfigureAll<OpenApiOptions>(options => options.AddOperationTransformer<IdempotencyOperationTransformer>());
        return services;
    }

    /// <summary>After authentication (a key belongs to a user), the rate limiter (a refused request claims no key) and authorization.</summary>
    public static IApplicationBuilder UseIdempotency(this IApplicationBuilder app) => app.UseMiddleware<IdempotencyMiddleware>();
}
