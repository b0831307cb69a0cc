using System.Text.Json;
using System.Text.Json.Serialization;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using MudBlazor.Services;
using Microsoft.Extensions.Options;
using Platform.Domain.Access;
using Platform.Domain.Addons;
using Platform.Portal.Billing;
using Platform.Domain.Applications;
using Platform.Domain.Clusters;
using Platform.Domain.Databases;
using Platform.Domain.Deployments;
using Platform.Domain.Environments;
using Platform.Domain.Events;
using Platform.Domain.Projects;
using Platform.Domain.Common;
using Platform.Domain.Members;
using Platform.Domain.Organizations;
using Platform.Domain.Referrals;
using Platform.Domain.Live;
using Platform.Domain.Logs;
using Platform.Domain.Metrics;
using Platform.Domain.Runtime;
using Platform.Domain.Tokens;
using Platform.Domain.Users;
using Platform.Domain.Variables;
using Platform.Portal.Addons;
using Platform.Portal.Applications;
using Platform.Portal.Idempotency;
using Platform.Portal.Infrastructure.Jobs;
using Platform.Portal.Infrastructure.Json;
using Platform.Portal.Infrastructure.Mail;
using Platform.Portal.Infrastructure.Postgres;
using Platform.Portal.Infrastructure.RateLimits;
using Platform.Portal.Users;
using Platform.Portal.Logs;
using Platform.Portal.Metrics;
using Platform.Portal.Runtime;


namespace Platform.Portal.Infrastructure;

public static class PortalServices
{
    public static WebApplicationBuilder AddPortal(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = RequestBodyLimit.MaxBytes);

        services.AddSingleton<PortalSettings>();
        services.AddSingleton<PlatformDatabase>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<LiveBus>();
        services.AddSingleton<ILiveNotifier>(sp => sp.GetRequiredService<LiveBus>());
        services.AddSingleton<LivePublishingInterceptor>();
        services.AddSingleton<ApiTokenCache>();
        services.AddSingleton<ApiTokenCacheInterceptor>();
        // Pooled: a context's internal services (query translators, model, caches) are built once per pooled instance,
        // not on every CreateDbContext — each request creates two or more (the access check, then the feature's work).
        services.AddPooledDbContextFactory<PlatformDbContext>((sp, options) =>
        {
            PlatformDbContext.Configure(options, sp.GetRequiredService<PlatformDatabase>().ConnectionString);
            options.AddInterceptors(
                sp.GetRequiredService<LivePublishingInterceptor>(), sp.GetRequiredService<AddonOutboxInterceptor>(), sp.GetRequiredService<ApiTokenCacheInterceptor>());
        });

        services.AddDomainServices();
        services.AddRuntime();
        services.AddMail();
        services.AddAddonDelivery();
        services.AddApiConventions();
        services.AddPortalAuthentication();
        services.AddPortalRateLimits();
        services.AddIdempotency();
        services.AddJobs();

        services.AddSignalR().AddJsonProtocol(options => ConfigureJson(options.PayloadSerializerOptions));
        services.AddHostedService<Platform.Portal.Live.LiveHubForwarder>();
        services.AddSingleton<Platform.Portal.Live.LiveSubscriptions>();
        services.AddHostedService(sp => sp.GetRequiredService<Platform.Portal.Live.LiveSubscriptions>());
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices(config =>
        {
            // Toasts are short and sit bottom-left, away from the actions at the top right of every page (Restart, Stop…);
            // a repeated message shows once.
            var snackbar = config.SnackbarConfiguration;
            snackbar.PositionClass = MudBlazor.Defaults.Classes.Position.BottomLeft;
            snackbar.VisibleStateDuration = 3500;
            snackbar.ShowTransitionDuration = 200;
            snackbar.HideTransitionDuration = 200;
            snackbar.MaxDisplayedSnackbars = 3;
            snackbar.PreventDuplicates = true;
            snackbar.NewestOnTop = true;
        });
        // One check for the process (it keeps its own small pool and shares a running check among concurrent calls).
        services.AddSingleton<DatabaseHealthCheck>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return builder;
    }

    private static void AddDomainServices(this IServiceCollection services)
    {
        services.AddSingleton<PortalLinks>();
        services.AddSingleton<AccountMailLimit>();
        services.AddScoped<TenantAccess>();
        services.AddScoped<UserService>();
        services.AddScoped<ApiTokenService>();
        services.AddScoped<OrganizationService>();
        services.AddScoped<MemberService>();
        services.AddScoped<ReferralService>();
        services.AddScoped<AddonService>();
        services.AddOptions<AddonSettings>().BindConfiguration(AddonSettings.Section);
        services.AddScoped<ProjectService>();
        services.AddScoped<ClusterService>();
        services.AddScoped<EnvironmentLocks>();
        services.AddScoped<EnvironmentService>();
        services.AddScoped<ApplicationService>();
        services.AddScoped<DatabaseService>();
        services.AddScoped<EventService>();
        services.AddScoped<VariableService>();
        services.AddSingleton<ISecretProtector, DataProtectionSecretProtector>();
        services.AddBillingCosts();
        services.AddInvoicesAndCards();
    }

    /// <summary>The deployment engine and the local runtime it drives, with the router and the log writer.</summary>
    private static void AddRuntime(this IServiceCollection services)
    {
        services.AddScoped<DeploymentService>();
        services.AddScoped<LogService>();
        services.AddScoped<LogRetention>();
        services.AddTransient<LogRetentionJob>();
        services.AddScoped<RepositoryChecks>();
        services.AddTransient<RepositoryCheckJob>();
        services.AddSingleton<DeploymentSignals>();
        services.AddSingleton<LocalRuntimeSettings>();
        services.AddSingleton<GitSources>();
        services.AddSingleton<RuntimeIdentities>();
        services.AddSingleton<Platform.Portal.Runtime.Sandbox.SandboxNetwork>();
        services.AddSingleton<Platform.Portal.Runtime.Sandbox.SandboxCgroups>();
        services.AddSingleton<Platform.Portal.Runtime.Sandbox.DatabaseRelay>();
        services.AddSingleton<Platform.Portal.Runtime.Sandbox.LocalSandbox>();
        services.AddSingleton<Probes>();
        services.AddHttpClient(Probes.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false });
        services.AddSingleton<LocalDatabaseServer>();
        services.AddHostedService(sp => sp.GetRequiredService<LocalDatabaseServer>());
        services.AddSingleton<RouterAddress>();
        services.AddHttpForwarder();

        // Hosted services stop in reverse order: the engine stops taking work, then the runtime stops its
        // instances, then the log writer writes the last lines.
        services.AddSingleton<BatchedLogWriter>();
        services.AddSingleton<ILogSink>(sp => sp.GetRequiredService<BatchedLogWriter>());
        services.AddHostedService(sp => sp.GetRequiredService<BatchedLogWriter>());
        services.AddSingleton<RuntimeNoticeRecorder>();
        services.AddSingleton<IRuntimeNotices>(sp => sp.GetRequiredService<RuntimeNoticeRecorder>());
        services.AddHostedService(sp => sp.GetRequiredService<RuntimeNoticeRecorder>());
        services.AddSingleton(sp => new ProcessLedger(Path.Combine(sp.GetRequiredService<LocalRuntimeSettings>().Directory, "processes")));
        services.AddSingleton<LocalApplications>();
        services.AddSingleton<LocalBuilds>();
        services.AddSingleton<InstanceSupervisor>();
        services.AddSingleton<Autoscaler>();
        services.AddSingleton<StorageMeter>();
        services.AddSingleton<LocalRuntime>();
        services.AddHostedService(sp => sp.GetRequiredService<LocalRuntime>());
        services.AddSingleton<IRuntimes, Runtimes>();
        services.AddSingleton<EngineContext>();
        services.AddHostedService<DeploymentEngine>();
        services.AddMetrics();
    }

    /// <summary>The metrics' sampler, store, retention job and service (section Metrics of the configuration).</summary>
    private static void AddMetrics(this IServiceCollection services)
    {
        services.AddSingleton(sp => MetricsRetentionJob.SettingsFrom(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<MetricStore>();
        services.AddScoped<MetricsService>();
        services.AddTransient<MetricsRetentionJob>();
        services.AddSingleton<MetricsSampler>();
        services.AddHostedService(sp => sp.GetRequiredService<MetricsSampler>());
    }

    private static void AddMail(this IServiceCollection services)
    {
        services.AddOptions<SmtpSettings>().BindConfiguration("Smtp");
        services.AddSingleton<IMailQueue, HangfireMailQueue>();
        services.AddTransient<SendMailJob>();
        services.AddTransient<IMailTransport>(sp => string.IsNullOrWhiteSpace(sp.GetRequiredService<IOptions<SmtpSettings>>().Value.Host)
            ? ActivatorUtilities.CreateInstance<FileMailTransport>(sp)
            : ActivatorUtilities.CreateInstance<SmtpMailTransport>(sp));
    }

    private static void AddApiConventions(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(options => ConfigureJson(options.SerializerOptions));
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
            context.ProblemDetails.Extensions["trace_id"] = context.HttpContext.TraceIdentifier;
        });
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddOpenApi(options => options
            .AddDocumentTransformer<ApiDocumentTransformer>()
            .AddOperationTransformer<RateLimitOperationTransformer>()
            .AddOperationTransformer<ApiResponsesTransformer>()
            .AddOperationTransformer<ApiExamples>()
            .AddSchemaTransformer<ApiSchemaBounds>());
    }

    /// <summary>snake_case names, UPPER_SNAKE enums, UTC timestamps with milliseconds: the draft's conventions.</summary>
    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        // Names only: a number would be stored as a value the enum does not have.
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseUpper, allowIntegerValues: false));
        options.Converters.Add(new UtcTimestampConverter());
    }

    private const string LiveScheme = "live";

    private static void AddPortalAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            // The live hub takes a token when one is sent (third parties: 401 without a valid one), the cookie otherwise.
            .AddPolicyScheme(LiveScheme, "Token or cookie", options => options.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.Count > 0 || context.Request.Query.ContainsKey("access_token")
                    ? ApiTokenAuthenticationHandler.SchemeName
                    : IdentityConstants.ApplicationScheme)
            .AddIdentityCookies();
        services.AddIdentityCore<PlatformUser>(UserRules.Apply)
            .AddEntityFrameworkStores<PlatformDbContext>()
            .AddSignInManager()
            .AddTokenProvider<AccountTokenProvider>(AccountTokenProvider.Name)
            .AddClaimsPrincipalFactory<PlatformClaimsFactory>();
        // A new password ends the other sessions at their next request within a minute (docs/decisions.md).
        services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = TimeSpan.FromMinutes(1));
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContext());
        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.Cookie.Name = "platform.session";
            cookie.LoginPath = AccountEndpoints.SignInPath;
            cookie.ReturnUrlParameter = "returnUrl";
            cookie.AccessDeniedPath = "/account/denied";
            cookie.ExpireTimeSpan = TimeSpan.FromDays(7);
            cookie.SlidingExpiration = true;
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Api, policy => policy
                .AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser())
            .AddPolicy(Policies.Live, policy => policy
                .AddAuthenticationSchemes(LiveScheme)
                .RequireAuthenticatedUser())
            .AddPolicy(Policies.PlatformAdmin, policy => policy
                .RequireAuthenticatedUser()
                .RequireClaim(PlatformClaims.PlatformAdmin, "true"));
        services.AddCascadingAuthenticationState();
        services.AddScoped<CurrentCaller>();
        services.AddScoped<Platform.Portal.Organizations.OrganizationContext>();

        // Cookies and, later, secrets are protected by a key ring in the data folder, never in the database.
        // The folder is readable by the portal's user only; that is its protection at rest (docs/decisions.md).
        services.AddDataProtection().SetApplicationName("Platform");
        services.AddOptions<KeyManagementOptions>()
            .Configure<PortalSettings, ILoggerFactory>((options, settings, loggers) =>
                options.XmlRepository = new FileSystemXmlRepository(PrivateFolders.Create(Path.Combine(settings.DataDirectory, "keys")), loggers));
    }


    private static void AddJobs(this IServiceCollection services)
    {
        // The storage and the job activator are this host's own singletons. Hangfire's defaults come from the
        // process-wide JobStorage.Current and JobActivator.Current, which hosts started side by side in one process
        // (the tests) then share by accident: a job enqueued by one ran with another's services.
        services.AddSingleton<JobActivator>(sp => new Hangfire.AspNetCore.AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddSingleton<JobStorage>(sp =>
        {
            var options = new PostgreSqlStorageOptions
            {
                SchemaName = "hangfire",
                PrepareSchemaIfNecessary = true,
                // Mail and other user-visible work should start within a second or two, not the default 15 s.
                QueuePollInterval = TimeSpan.FromSeconds(1),
            };
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(sp.GetRequiredService<PlatformDatabase>().ConnectionString, options), options);
        });
        services.AddHangfire((sp, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseLogProvider(new ResilientLogProvider(new Hangfire.AspNetCore.AspNetCoreLogProvider(sp.GetRequiredService<ILoggerFactory>())))
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        services.AddHangfireServer(options =>
        {
            options.WorkerCount = 4;
            // An addon's retry is a scheduled job: it should leave within a second or two of its time, not the default 15 s.
            options.SchedulePollingInterval = TimeSpan.FromSeconds(1);
        });
        // Addon deliveries wait on receivers the tenants pick (up to Addons:TimeoutSeconds each): on workers of their
        // own, a slow or silent receiver can hold only these, never the invoices', the cost aggregation's or the mail's.
        services.AddHangfireServer((sp, options) =>
        {
            options.ServerName = $"{Environment.MachineName}:addons";
            options.Queues = [AddonDeliveryJob.Queue];
            options.WorkerCount = Math.Max(1, sp.GetRequiredService<IOptions<AddonSettings>>().Value.DeliveryWorkers);
            options.SchedulePollingInterval = TimeSpan.FromSeconds(1);
        });
    }
}
