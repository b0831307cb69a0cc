namespace Platform.Portal.Live;

/// <summary>
/// Cross-site WebSocket hijacking guard: a browser connecting to the live hub with the portal's cookie must come
/// from the portal's own pages (its Origin is the portal's). Token clients are not concerned: a page elsewhere
/// cannot hold the token. Applications' pages, on hosts of their own, are refused too.
/// </summary>
public static class LiveHubOrigins
{
    public static IApplicationBuilder UseLiveHubOrigins(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (request.Path.StartsWithSegments(LiveHub.Path)
            && request.Headers.Authorization.Count == 0
            && !request.Query.ContainsKey("access_token")
            && request.Headers.Origin is [{ } origin]
            && !IsPortal(origin, context))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        await next(context);
    });

    private static bool IsPortal(string origin, HttpContext context)
    {
        var own = $"{context.Request.Scheme}://{context.Request.Host}";
        var configured = context.RequestServices.GetRequiredService<IConfiguration>() is var configuration
            && (configuration["Portal:PublicUrl"] ?? configuration["PORTAL_PUBLIC_URL"]) is { Length: > 0 } publicUrl
            && Uri.TryCreate(publicUrl, UriKind.Absolute, out var uri)
                ? uri.GetLeftPart(UriPartial.Authority)
                : null;
        return string.Equals(origin, own, StringComparison.OrdinalIgnoreCase) || string.Equals(origin, configured, StringComparison.OrdinalIgnoreCase);
    }
}
