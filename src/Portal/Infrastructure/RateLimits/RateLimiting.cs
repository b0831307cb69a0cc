using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Platform.Portal.Infrastructure.RateLimits;

/// <summary>The names of the per-address limits that endpoints and pages ask for.</summary>
public static class RateLimitPolicies
{
    /// <summary>Password checks: the sign-in form's posts and <c>POST /api/auth/token</c>.</summary>
    public const string SignIn = "sign-in";

    /// <summary>Sign-ups: the sign-up form's posts and <c>POST /api/auth/register</c>.</summary>
    public const string SignUp = "sign-up";

    /// <summary>Invitation links: the invitation page and <c>POST …/invitation/{id}/accept</c>.</summary>
    public const string Invitation = "invitation";
}

/// <summary>
/// ASP.NET Core's rate limiter, set up from <see cref="RateLimitSettings"/>: per client address on the policies of
/// <see cref="RateLimitPolicies"/>, and per API token (anonymous callers per address) on all of <c>/api</c>.
/// Over a limit: 429 with Retry-After, as problem details under <c>/api</c>, as a short page elsewhere.
/// </summary>
public static class RateLimiting
{
    public static IServiceCollection AddPortalRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitSettings>()
            .BindConfiguration(RateLimitSettings.Section)
            .Validate(s => s.Rules.All(r => r.Rule.IsValid), $"Every {RateLimitSettings.Section} limit needs a PermitLimit and a WindowSeconds above 0.")
            .ValidateOnStart();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitSettings>>((options, configured) =>
        {
            var settings = configured.Value;
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = RejectAsync;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                IsApi(context)
                    ? RateLimitPartition.GetFixedWindowLimiter(ApiCaller(context), _ => settings.Api.ToOptions())
                    : RateLimitPartition.GetNoLimiter(""));
            options.AddPolicy(RateLimitPolicies.SignIn, context => PerAddress(context, settings.SignIn, postsOnly: true));
            options.AddPolicy(RateLimitPolicies.SignUp, context => PerAddress(context, settings.SignUp, postsOnly: true));
            options.AddPolicy(RateLimitPolicies.Invitation, context => PerAddress(context, settings.Invitation, postsOnly: false));
        });
        return services;
    }

    /// <summary>After authentication, before authorization, so anonymous floods are limited too.</summary>
    public static IApplicationBuilder UsePortalRateLimits(this IApplicationBuilder app)
    {
        // The API authenticates with its token scheme, not the cookie: read it here so the limiter can count per
        // token. Authorization reuses the result (a handler authenticates once per request).
        app.UseWhen(IsApi, api => api.Use(async (context, next) =>
        {
            var token = await context.AuthenticateAsync(ApiTokenAuthenticationHandler.SchemeName);
            context.User = token.Succeeded ? token.Principal : new ClaimsPrincipal(new ClaimsIdentity());
            await next(context);
        }));
        return app.UseRateLimiter();
    }

    /// <summary>
    /// The address a limit counts: IPv4 as is, IPv6 by its /64 (one subscriber usually holds a whole one).
    /// Behind a reverse proxy this is the proxy's address unless forwarded headers are applied first.
    /// </summary>
    public static string ClientAddress(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            address = new IPAddress(bytes);
        }

        return address.ToString();
    }

    private static bool IsApi(HttpContext context) => context.Request.Path.StartsWithSegments("/api");

    private static string ApiCaller(HttpContext context) =>
        context.User.FindFirstValue(PlatformClaims.TokenId) is { } tokenId ? $"token {tokenId}" : $"address {ClientAddress(context)}";

    /// <summary>Pages count only their form posts: showing a sign-in form is free, submitting it is not.</summary>
    private static RateLimitPartition<string> PerAddress(HttpContext context, RateLimitRule rule, bool postsOnly) =>
        postsOnly && !HttpMethods.IsPost(context.Request.Method)
            ? RateLimitPartition.GetNoLimiter("")
            : RateLimitPartition.GetFixedWindowLimiter(ClientAddress(context), _ => rule.ToOptions());

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 60;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        if (IsApi(context))
        {
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status429TooManyRequests,
                    Detail = $"Too many requests. Try again in {seconds} seconds.",
                },
            });
            return;
        }

        context.Response.ContentType = "text/html; charset=utf-8";
        var policy = context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName;
        await context.Response.WriteAsync(TooManyRequestsPage(TooManyRequestsMessage(policy, TimeSpan.FromSeconds(seconds))), cancellationToken);
    }

    /// <summary>
    /// What the refused page says: what was tried too often and when to try again. The limits count per address, so
    /// the message is the same for every email typed, registered or not (docs/decisions.md).
    /// </summary>
    public static string TooManyRequestsMessage(string? policy, TimeSpan wait)
    {
        var when = $"try again in {Platform.Domain.Common.Durations.Spoken(wait)}";
        return policy switch
        {
            RateLimitPolicies.SignIn => $"Too many sign-in attempts from your address: {when}.",
            RateLimitPolicies.SignUp => $"Too many sign-ups or password-reset requests from your address: {when}.",
            RateLimitPolicies.Invitation => $"Too many invitation links were opened from your address: {when}.",
            _ => $"Too many requests from your address: {when}.",
        };
    }

    /// <summary>A page of its own, without the Blazor pipeline: the request that was refused is not run again.</summary>
    private static string TooManyRequestsPage(string message) =>
        $"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1.0" />
                <title>Too many attempts · Platform</title>
                <link rel="stylesheet" href="/app.css" />
            </head>
            <body>
                <main class="auth-shell">
                    <div class="auth-card" style="background: #fff; border-radius: 8px; box-shadow: 0 2px 12px rgba(15, 23, 42, .15)">
                        <h1>Too many attempts</h1>
                        <p role="alert">{System.Net.WebUtility.HtmlEncode(message)}</p>
                        <p><a href="/">Platform</a></p>
                    </div>
                </main>
            </body>
            </html>
            """;
}
