using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.Domain.Addons;
using Platform.Domain.Common;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Addons;

/// <summary>
/// A real portal on the fake runtime whose addons may reach loopback receivers (Addons:AllowPrivateAddresses), with
/// quick retries and a short timeout, an in-process SMTP server, and its log captured.
/// </summary>
public sealed class AddonDeliveryPortal : IAsyncLifetime
{
    public const int TimeoutSeconds = 4;
    public const int MaxAttempts = 3;
    public const int RetryBaseSeconds = 2;

    public AddonDeliveryPortal() => Portal = PortalFactory.With(
        new Dictionary<string, string?>
        {
            ["Addons:AllowPrivateAddresses"] = "true",
            ["Addons:SlackWebhookHosts:0"] = "127.0.0.1",
            ["Addons:RetryBaseSeconds"] = RetryBaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Addons:MaxAttempts"] = MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Addons:TimeoutSeconds"] = TimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [TestSmtp.HostKey] = TestSmtp.Host,
            [TestSmtp.PortKey] = Smtp.PortSetting,
            [TestSmtp.SecurityKey] = TestSmtp.Security,
        },
        services =>
        {
            FakeRuntime.Replace(services, State);
            services.AddSingleton<ILoggerProvider>(Log);
        });

    public FakeRuntimeState State { get; } = new();

    public CapturedLog Log { get; } = new();

    public TestSmtp Smtp { get; } = new();

    public PortalFactory Portal { get; }

    public async Task InitializeAsync()
    {
        Smtp.Start();
        await Portal.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)Portal).DisposeAsync();
        await Smtp.DisposeAsync();
    }

    /// <summary>A project of its own for each test (an addon is installed once per project), with its owner.</summary>
    public async Task<RuntimeTeam> NewTeamAsync()
    {
        var (owner, _) = await Portal.CreateUserClientAsync();
        var organization = await owner.PostForIdAsync("/api/organization", new { name = $"addons-{CatalogueSteps.Unique()}" });
        var project = await owner.PostForIdAsync($"/api/organization/{organization}/project", new { name = "shop" });
        return new RuntimeTeam(owner, project);
    }

    public static Task<Guid> CreateEnvironmentAsync(RuntimeTeam team, string name) =>
        team.Owner.PostForIdAsync($"/api/project/{team.ProjectId}/environment", new { name, mode = "DEVELOPMENT" });

    /// <summary>An application on a fake repository whose head is commit "v1" with this message; answers it and the commit's id.</summary>
    public async Task<(Guid Application, string Commit)> CreateApplicationAsync(RuntimeTeam team, Guid environmentId, string name = "web", string? buildCommand = null)
    {
        var repository = State.Repository($"https://git.example.com/shop/{CatalogueSteps.Unique()}.git");
        var commit = repository.Commit("v1", "Add the checkout page");
        var body = RuntimeSteps.ApplicationBody(repository.Url, name);
        body["build_command"] = buildCommand;
        return (await team.Owner.CreateApplicationAsync(environmentId, body), commit);
    }

    /// <summary>Installs an addon through the API (as its owner: 201), and answers the row the catalogue stored.</summary>
    public async Task<ProjectAddon> InstallAsync(RuntimeTeam team, AddonKind kind, IReadOnlyDictionary<string, string> settings, string regex = ".*")
    {
        await team.Owner.InstalledAsync(team.ProjectId, kind.ToString().ToLowerInvariant(), new { matching_environments_regex = regex, settings });
        await using var db = await Db();
        return await db.ProjectAddons.AsNoTracking().SingleAsync(a => a.ProjectId == team.ProjectId && a.Kind == kind);
    }

    public async Task<List<AddonDelivery>> DeliveriesAsync(Guid projectId)
    {
        await using var db = await Db();
        return await db.AddonDeliveries.AsNoTracking().Where(d => d.ProjectId == projectId).OrderBy(d => d.Sequence).ToListAsync();
    }

    /// <summary>Waits for a delivery of the project that satisfies the condition.</summary>
    public Task<AddonDelivery> WaitForDeliveryAsync(Guid projectId, Func<AddonDelivery, bool> done, string what, TimeSpan? timeout = null) =>
        Poll.UntilAsync(async () => (await DeliveriesAsync(projectId)).FirstOrDefault(done), d => d is not null, what, timeout)!;

    public async Task<PlatformDbContext> Db() =>
        await Portal.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContextAsync();
}
