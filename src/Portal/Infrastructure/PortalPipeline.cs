using Hangfire;
using Microsoft.AspNetCore.Diagnostics;
using Platform.Portal.Addons;
using Platform.Portal.Billing;
using Platform.Portal.Components;
using Platform.Portal.Infrastructure.RateLimits;
using Platform.Portal.Applications;
using Platform.Portal.Clusters;
using Platform.Portal.Databases;
using Platform.Portal.Deployments;
using Platform.Portal.Logs;
using Platform.Portal.Runtime;
using Platform.Portal.Environments;
using Platform.Portal.Events;
using Platform.Portal.Idempotency;
using Platform.Portal.Members;
using Platform.Portal.Metrics;
using Platform.Portal.Projects;
using Platform.Portal.Organizations;
using Platform.Portal.Referrals;
using Platform.Portal.Tokens;
using Platform.Portal.Users;
using Platform.Portal.Variables;
using Scalar.AspNetCore;

namespace Platform.Portal.Infrastructure;

public static class PortalPipeline
{
    public static WebApplication UsePortal(this WebApplication app)
    {
        app.UseAppRouter();
        // Called here so that not even route matching runs for an application's host (WebApplication would put it first).
        app.UseRouting();
        app.UseFramingPolicy();
        // Load balancers poll it hard: answered before error pages, authentication, rate limits and antiforgery, which
        // it needs none of (it says only whether the database answers).
        app.UseHealthChecks("/healthz");
        // A page's failure shows the portal's error page with a trace id; the API's (inside, so it handles them first) become problem details.
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandlingPath = ErrorPage.Path, CreateScopeForErrors = true });
        app.UseWhen(IsApi, api => api.UseExceptionHandler());
        // Re-execution runs routing again only when registered on the application itself, not in a UseWhen branch: a branch
        // answered unknown addresses with a bare 404. So the pages' handler is outermost, the API and the hub opt out of it,
        // and the API's own (problem details) sits inside, so it writes first. The circuits' transport opts out too: a refusal
        // there is a status for Blazor's client, not a page (re-executed, a refused POST met the pages' antiforgery: a 400).
        app.UseStatusCodePagesWithReExecute(NotFoundPage.Path, createScopeForStatusCodePages: true);
        app.Use((context, next) =>
        {
            if (IsApi(context) || context.Request.Path.StartsWithSegments("/hubs") || context.Request.Path.StartsWithSegments(SocketOrigins.CircuitPath))
            {
                context.Features.Get<IStatusCodePagesFeature>()!.Enabled = false;
            }

            return next(context);
        });
        app.UseWhen(IsApi, api => api.UseStatusCodePages());
        app.UseRequestBodyLimit();

        app.UseSocketOrigins();
        app.UseAuthentication();
        app.UsePortalRateLimits();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.UseIdempotency();

        app.MapStaticAssets();
        app.MapOpenApi();
        app.MapScalarApiReference("/reference", options =>
        {
            // Self-hosted: nothing in the reference calls out (fonts, telemetry, the AI agent, hosted developer tools).
            options.Title = "Platform API reference";
            options.DefaultFonts = false;
            options.Telemetry = false;
            options.DotNetFlag = false;
            options.ShowDeveloperTools = DeveloperToolsVisibility.Never;
            options.Agent = new ScalarAgentOptions { Disabled = true };
        });

        // The list of API features, in one place.
        var api = app.MapGroup("/api").RequireAuthorization(Policies.Api);
        api.MapUserApi();
        api.MapOrganizationApi();
        api.MapMemberApi();
        api.MapTokenApi();
        api.MapReferralApi();
        api.MapProjectApi();
        api.MapClusterApi();
        api.MapEnvironmentApi();
        api.MapApplicationApi();
        api.MapDatabaseApi();
        api.MapEventApi();
        api.MapVariableApi();
        api.MapDeploymentApi();
        api.MapLogApi();
        api.MapCostApi();
        api.MapCardApi();
        api.MapInvoiceApi();
        api.MapMetricsApi();
        api.MapAddonApi();

        app.MapFormerAppAddresses();
        app.MapHub<Platform.Portal.Live.LiveHub>(Platform.Portal.Live.LiveHub.Path).RequireAuthorization(Policies.Live);
        app.MapAccountEndpoints();
        app.MapLogDownload();
        app.MapReferralLanding();
        app.MapHangfireDashboard("/jobs", new DashboardOptions
        {
            // The endpoint policy decides who may look; Hangfire's own default filter only allows local requests.
            Authorization = [],
            DashboardTitle = "Platform jobs",
            AppPath = "/",
        }).RequireAuthorization(Policies.PlatformAdmin);

        // No per-message compression on the circuits' WebSockets (Blazor turns it on by default). Its zlib state, kept
        // across messages, is native memory of about 300 KB per open circuit; and a compressed stream that carries both
        // what an application writes (its log lines, its names) and what the user reveals (a secret's value) makes the
        // compressed sizes an oracle for the secret. The framing policy above stays, set for every answer.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(options => options.DisableWebSocketCompression = true);
        return app;
    }

    private static bool IsApi(HttpContext context) => context.Request.Path.StartsWithSegments("/api");
}
