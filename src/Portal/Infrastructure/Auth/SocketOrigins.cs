using Platform.Portal.Live;

namespace Platform.Portal.Infrastructure.Auth;

/// <summary>
/// Cross-site WebSocket hijacking guard for the two connections a browser holds with the portal's cookie: Blazor's
/// circuits and the live hub. Their requests (negotiate, the WebSocket, the fallback transports) must come from the
/// portal's own pages: a request whose Origin is another is refused. Applications' pages are refused too, which matters
/// where they share the portal's site (apps.example.com beside portal.example.com): the cookie is SameSite=Lax, so the
/// browser sends it on their WebSockets, and a circuit started there would run as the visitor.
/// A live-hub client with a token is not concerned (a page elsewhere cannot hold the token, and that connection never
/// falls back to the cookie); a circuit only ever runs on the cookie, so nothing exempts it.
/// </summary>
public static class SocketOrigins
{
    /// <summary>Blazor's circuit endpoint and everything under it.</summary>
    public const string CircuitPath = "/_blazor";

    public static IApplicationBuilder UseSocketOrigins(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (RidesOnTheCookie(request)
            && request.Headers.Origin.Count > 0
            && !(request.Headers.Origin is [{ } origin] && IsPortal(origin, context)))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        await next(context);
    });

    private static bool RidesOnTheCookie(HttpRequest request) =>
        request.Path.StartsWithSegments(CircuitPath)
        || (request.Path.StartsWithSegments(LiveHub.Path)
            && request.Headers.Authorization.Count == 0
            && !request.Query.ContainsKey("access_token"));

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
