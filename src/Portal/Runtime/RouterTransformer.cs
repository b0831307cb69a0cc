using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace Platform.Portal.Runtime;

/// <summary>
/// What crosses the router between a browser and an application: the portal's own credentials never reach the
/// application (its cookies and the Authorization header are removed), the application can never set or replace
/// the portal's cookies, and its pages are sandboxed into an origin of their own, so their scripts cannot act on
/// the portal with the visitor's session although both share the portal's address.
/// </summary>
public sealed class RouterTransformer : HttpTransformer
{
    public static readonly RouterTransformer Instance = new();

    /// <summary>Cookies the portal sets: its session, the antiforgery token, Identity's others.</summary>
    private static readonly string[] PortalCookiePrefixes = ["platform.", ".AspNetCore."];

    private const string Sandbox = "sandbox allow-scripts allow-forms allow-popups allow-downloads allow-modals";

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
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var proceed = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        var headers = httpContext.Response.Headers;
        var cookies = headers.SetCookie.Where(c => c is not null && !IsPortalCookie(c.Split('=', 2)[0].Trim())).ToArray();
        headers.SetCookie = cookies;
        headers.ContentSecurityPolicy = headers.ContentSecurityPolicy.Count == 0 ? Sandbox : $"{headers.ContentSecurityPolicy}; {Sandbox}";
        return proceed;
    }

    private static bool IsPortalCookie(string name) => PortalCookiePrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));
}
