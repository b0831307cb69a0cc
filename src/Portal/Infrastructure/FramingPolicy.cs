using Microsoft.Net.Http.Headers;

namespace Platform.Portal.Infrastructure;

/// <summary>
/// The portal's answers may be framed by the portal's own pages only, so that no other origin (an application
/// among them) can show a portal page under its own and read or click it. Applications' hosts are answered before
/// this, by the router, and get none of it. Every answer also says nosniff and a referrer policy.
/// </summary>
public static class FramingPolicy
{
    public const string ContentSecurityPolicy = "frame-ancestors 'self'";

    public const string ReferrerPolicy = "strict-origin-when-cross-origin";

    public static IApplicationBuilder UseFramingPolicy(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            // A second policy header adds its directives to whatever policy an answer has already.
            context.Response.Headers.Append(HeaderNames.ContentSecurityPolicy, ContentSecurityPolicy);
            context.Response.Headers.XFrameOptions = "SAMEORIGIN";
            // Never read an answer as another type than it says (a log line shaped like HTML stays text), and send no
            // path or query to other origins; a page that needs stricter (the token pages: no-referrer) keeps its own.
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers.TryAdd("Referrer-Policy", ReferrerPolicy);
            return Task.CompletedTask;
        });
        return next(context);
    });
}
