using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace Platform.Portal.Runtime;

/// <summary>
/// The router (YARP's forwarder): a request to {label}.{apps domain} goes to a ready instance of the application's
/// live release, round robin. A GET or HEAD that fails before any answer (its instance just stopped, or closed a
/// kept-alive connection as HTTP/1.0 servers do) is tried again, on the next instance if there is one, up to three
/// times in all.
/// </summary>
public static class AppRouter
{
    private const int MaxAttempts = 3;

    private static readonly HttpMessageInvoker Client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ActivityHeadersPropagator = null,
    });

    /// <summary>
    /// Requests to an application's host go to the router and to nothing else: placed first, so that no portal page,
    /// endpoint, authentication or cookie handling ever answers on an application's host.
    /// </summary>
    public static IApplicationBuilder UseAppRouter(this IApplicationBuilder app)
    {
        var router = app.ApplicationServices.GetRequiredService<RouterAddress>();
        return app.MapWhen(context => router.IsAppsHost(context.Request.Host, out _), apps => apps.Run(ForwardAsync));
    }

    /// <summary>The portal's former addresses of applications only redirect to their own hosts: the portal's origin serves none of their content.</summary>
    public static IEndpointRouteBuilder MapFormerAppAddresses(this IEndpointRouteBuilder endpoints)
    {
        endpoints.Map($"{RouterAddress.FormerPrefix}/{{label}}/{{**path}}", (string label, HttpContext context, RouterAddress router) =>
        {
            if (router.Find(label) is not { } applicationId)
            {
                return Results.NotFound();
            }

            context.Request.Path.StartsWithSegments($"{RouterAddress.FormerPrefix}/{label}", out var rest);
            var origin = router.UrlOf(label[..Math.Max(label.LastIndexOf('-'), 0)], applicationId).GetLeftPart(UriPartial.Authority);
            return Results.Redirect($"{origin}{(rest.HasValue ? rest.ToUriComponent() : "/")}{context.Request.QueryString}", preserveMethod: true);
        }).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task ForwardAsync(HttpContext context)
    {
        var router = context.RequestServices.GetRequiredService<RouterAddress>();
        var runtime = context.RequestServices.GetRequiredService<LocalApplications>();
        if (!router.IsAppsHost(context.Request.Host, out var label) || router.Find(label) is not { } applicationId)
        {
            await PlainAsync(context, StatusCodes.Status404NotFound, "No running application is served at this address.");
            return;
        }

        var instances = runtime.ReadyInstances(applicationId);
        if (instances.Count == 0)
        {
            await PlainAsync(context, StatusCodes.Status503ServiceUnavailable, "This application has no ready instance right now. Its status and logs in the portal tell why.");
            return;
        }

        var forwarder = context.RequestServices.GetRequiredService<IHttpForwarder>();
        var first = runtime.NextRoundRobin(applicationId);
        var retryable = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method);
        for (var attempt = 1; ; attempt++)
        {
            var instance = instances[(int)((uint)(first + attempt - 1) % instances.Count)];
            var error = await forwarder.SendAsync(context, instance.Endpoint, Client, ForwarderRequestConfig.Empty, RouterTransformer.Instance);
            if (error != ForwarderError.Request || !retryable || context.Response.HasStarted || attempt == MaxAttempts)
            {
                return; // After the last attempt the forwarder's 502 stands: a failed call never reads as an empty 200.
            }

            context.Response.Clear();
            context.Features.Set<IForwarderErrorFeature>(null);
        }
    }

    private static Task PlainAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message);
    }
}
