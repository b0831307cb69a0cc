using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace Platform.Portal.Runtime;

/// <summary>
/// What crosses the router between a browser and an application. The application is on a host of its own, so
/// browsers do not send it the portal's host-only cookies; in depth, cookies of the portal's names and the
/// Authorization header are removed anyway, and the application cannot set cookies of the portal's names (it could
/// through a parent domain it shares with the portal). The application is told where the request came from as by
/// any reverse proxy (X-Forwarded-For, -Host, -Proto); its answers, its own security policy included, pass as sent.
/// </summary>
public sealed class RouterTransformer : HttpTransformer
{
    public static readonly RouterTransformer Instance = new();

    /// <summary>Cookies the portal sets: its session, the antiforgery token, Identity's others.</summary>
    private static readonly string[] PortalCookiePrefixes = ["platform.", ".AspNetCore."];

    private const string ForwardedFor = "X-Forwarded-For";
    private const string ForwardedHost = "X-Forwarded-Host";
    private const string ForwardedProto = "X-Forwarded-Proto";
    private const string ForwardedPrefix = "X-Forwarded-Prefix";

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.Headers.Authorization = null;
        proxyRequest.Headers.Remove(HeaderNames.Cookie);
        var kept = httpContext.Request.Cookies.Where(c => !IsPortalCookie(c.Key)).Select(c => $"{c.Key}={c.Value}").ToList();
        if (kept.Count > 0)
        {
            proxyRequest.Headers.TryAddWithoutValidation(HeaderNames.Cookie, string.Join("; ", kept));
        }

        // What this hop saw replaces what the client claims (YARP's default, ForwardedTransformActions.Set).
        var request = httpContext.Request;
        foreach (var header in (string[])[ForwardedFor, ForwardedHost, ForwardedProto, ForwardedPrefix])
        {
            proxyRequest.Headers.Remove(header);
        }

        if (httpContext.Connection.RemoteIpAddress is { } client)
        {
            proxyRequest.Headers.TryAddWithoutValidation(ForwardedFor, client.ToString());
        }

        proxyRequest.Headers.TryAddWithoutValidation(ForwardedHost, request.Host.ToUriComponent());
        proxyRequest.Headers.TryAddWithoutValidation(ForwardedProto, request.Scheme);
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var proceed = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        var headers = httpContext.Response.Headers;
        headers.SetCookie = headers.SetCookie.Where(c => c is not null && !IsPortalCookie(c.Split('=', 2)[0].Trim())).ToArray();
        return proceed;
    }

    private static bool IsPortalCookie(string name) => PortalCookiePrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));
}
