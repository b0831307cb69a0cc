using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace Platform.Portal.Runtime;

/// <summary>
/// The router (YARP's forwarder): {portal}/apps/{slug}/… goes to a ready instance of the application's live
/// release, round robin. A GET or HEAD that fails before any answer (its instance just stopped, or closed a kept-alive
/// connection as HTTP/1.0 servers do) is tried again, on the next instance if there is one, up to three times in all.
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

    public static IEndpointRouteBuilder MapAppRouter(this IEndpointRouteBuilder endpoints)
    {
        endpoints.Map($"{RouterAddress.Prefix}/{{slug}}/{{**path}}", ForwardAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task ForwardAsync(string slug, string? path, HttpContext context, RouterAddress router, LocalRuntime runtime, IHttpForwarder forwarder)
    {
        if (path is null && !context.Request.Path.Value!.EndsWith('/'))
        {
            // Relative links in the application's pages resolve under its prefix only with the slash.
            context.Response.Redirect($"{RouterAddress.Prefix}/{slug}/{context.Request.QueryString}");
            return;
        }

        if (router.Find(slug) is not { } applicationId)
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

        context.Request.PathBase = $"{RouterAddress.Prefix}/{slug}";
        context.Request.Path = "/" + path;
        context.Request.Headers["X-Forwarded-Prefix"] = context.Request.PathBase.Value;
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
