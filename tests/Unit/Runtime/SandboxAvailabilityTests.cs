using System.Net;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Platform.Portal.Infrastructure.Auth;
using Platform.Portal.Runtime;
using Platform.Portal.Runtime.Sandbox;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Runtime;

/// <summary>A portal on a host where the sandbox cannot be had: here bubblewrap is missing.</summary>
public sealed class PortalWithoutSandbox : IAsyncLifetime
{
    public PortalFactory Portal { get; } = PortalFactory.With(new Dictionary<string, string?> { ["Runtime:Bubblewrap"] = "/nonexistent/bwrap" });

    public Task InitializeAsync() => Portal.InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)Portal).DisposeAsync();
}

/// <summary>Where the sandbox cannot be had, applications are not deployed, and administrators are told why and how to fix it.</summary>
public sealed class SandboxAvailabilityTests(PortalWithoutSandbox without) : IClassFixture<PortalWithoutSandbox>
{
    [Fact]
    public async Task Deploy_WhereTheSandboxCannotBeHad_Returns409NamingTheCauseAndTheFix()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var team = await RuntimeTeam.OfAsync(without.Portal);
        var application = await team.Owner.CreateApplicationAsync(await team.CreateEnvironmentAsync(), RuntimeSteps.ApplicationBody(repository.Url));

        var response = await team.Owner.PostAsync($"/api/application/{application}/deploy", null);
        var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict, "POST deploy");

        var detail = problem["detail"]!.GetValue<string>();
        Assert.Contains("bubblewrap", detail, StringComparison.Ordinal);
        Assert.Contains("apt-get install bubblewrap", detail, StringComparison.Ordinal);
        Assert.Contains("Runtime__Isolation=None", detail, StringComparison.Ordinal);
        Assert.Equal("STOPPED", await team.Owner.ApplicationStateAsync(application));
    }

    [Fact]
    public async Task Database_WhereTheSandboxCannotBeHad_IsStillDeployed()
    {
        var team = await RuntimeTeam.OfAsync(without.Portal);
        var database = await team.Owner.PostForIdAsync($"/api/environment/{await team.CreateEnvironmentAsync()}/database", new { name = "main" });

        var ended = await team.Owner.EndedAsync(await team.Owner.PostForDeploymentAsync($"/api/database/{database}/deploy"));

        Assert.Equal("OK", ended.State());
    }

    [Fact]
    public async Task Banner_TellsPlatformAdministratorsWhyDeploysAreRefused()
    {
        await using var context = BannerContext(without.Portal, isPlatformAdmin: true);

        var banner = context.Render<IsolationBanner>();

        Assert.Contains("Deployments of applications are refused", banner.Find("[data-testid=isolation-banner]").TextContent, StringComparison.Ordinal);
        Assert.Contains("bubblewrap", banner.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Banner_IsNotShownToOtherUsers()
    {
        await using var context = BannerContext(without.Portal, isPlatformAdmin: false);

        var banner = context.Render<IsolationBanner>();

        Assert.Empty(banner.FindAll("[data-testid=isolation-banner]"));
    }

    internal static BunitContext BannerContext(PortalFactory portal, bool isPlatformAdmin)
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddSingleton(portal.Services.GetRequiredService<LocalSandbox>());
        var authorization = context.AddAuthorization();
        authorization.SetAuthorized("ada@example.com");
        if (isPlatformAdmin)
        {
            authorization.SetPolicies(Policies.PlatformAdmin);
        }

        return context;
    }
}

/// <summary>A portal whose operator turned the sandbox off (Runtime:Isolation=None), with its log kept.</summary>
public sealed class PortalWithIsolationOff : IAsyncLifetime
{
    public CapturedLog Log { get; } = new();

    public PortalFactory Portal { get; }

    public PortalWithIsolationOff() =>
        Portal = PortalFactory.With(new Dictionary<string, string?> { ["Runtime:Isolation"] = "None" }, services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(Log));

    public Task InitializeAsync() => Portal.InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)Portal).DisposeAsync();
}

/// <summary>Runtime:Isolation=None is the operator's explicit way out: applications run, and every start says so.</summary>
public sealed class IsolationOffTests(PortalWithIsolationOff off) : IClassFixture<PortalWithIsolationOff>
{
    [Fact]
    public async Task IsolationNone_RunsApplicationsWithoutASandbox_UnderTheirOwnUidStill()
    {
        using var repository = await TestGitRepository.CreateAsync(SampleApp.Files("v1"));
        var team = await RuntimeTeam.OfAsync(off.Portal);
        var application = await team.Owner.CreateApplicationAsync(await team.CreateEnvironmentAsync(), RuntimeSteps.ApplicationBody(repository.Url));

        await team.Owner.DeployOkAsync(application);
        var uid = (await RuntimeSteps.GetJsonAsync(await team.Owner.UrlAsync(application), "uid"))["uid"]!.GetValue<int>();

        Assert.Equal(RuntimeIsolation.None, off.Portal.Services.GetRequiredService<LocalSandbox>().Isolation);
        Assert.True(!Environment.IsPrivilegedProcess || uid != 0, "An application ran as root");
    }

    [Fact]
    public void IsolationNone_IsLoggedAsAWarningAtStart()
    {
        Assert.Contains(off.Log.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning
            && e.Message.Contains("Runtime:Isolation=None", StringComparison.Ordinal) && e.Message.Contains("WITHOUT a sandbox", StringComparison.Ordinal));
    }

    [Fact]
    public async Task IsolationNone_IsShownToPlatformAdministratorsAsAWarning()
    {
        await using var context = SandboxAvailabilityTests.BannerContext(off.Portal, isPlatformAdmin: true);

        var banner = context.Render<IsolationBanner>();

        Assert.Contains("without a sandbox", banner.Find("[data-testid=isolation-banner]").TextContent, StringComparison.Ordinal);
    }
}

/// <summary>How the sandbox starts a process: nothing of an application reaches a process that runs as root, or a command line.</summary>
public sealed class SandboxCommandLineTests
{
    private static readonly SandboxHostFacts Facts = new(RuntimeIsolation.Sandbox, "/usr/bin/bwrap", 4096, 2048, "/etc/resolv.conf", ["/srv/platform"]);

    private static readonly SandboxSpec Spec = new(
        new RuntimeUser("uid 1000007", 1000007, 1000007),
        ["/bin/sh", "-c", "python3 app.py"],
        "/app",
        new Dictionary<string, string> { ["LD_PRELOAD"] = "./evil.so", ["API_KEY"] = "s3cret-value" },
        [new SandboxMount("/srv/platform/runtime/apps/a/builds/b", "/app", Writable: true)],
        new SandboxNamespace("platform-7", IPAddress.Parse("10.213.0.30"), IPAddress.Parse("10.213.0.29"), 8080),
        null,
        "web-1");

    [Fact]
    public void RootSteps_GetAnEnvironmentOfPathAlone()
    {
        var prepared = SandboxCommandLine.Prepare(Spec, Facts);

        Assert.Equal(["PATH"], prepared.Environment.Keys);
    }

    [Fact]
    public void ApplicationVariables_TravelOnStandardInput_NeverOnACommandLine()
    {
        var prepared = SandboxCommandLine.Prepare(Spec, Facts);
        var input = System.Text.Encoding.UTF8.GetString(prepared.Input!);

        Assert.DoesNotContain(prepared.Arguments, a => a.Contains("s3cret-value", StringComparison.Ordinal) || a.Contains("evil.so", StringComparison.Ordinal));
        Assert.Contains("\0--setenv\0API_KEY\0s3cret-value\0", "\0" + input, StringComparison.Ordinal);
        Assert.Contains("\0--setenv\0LD_PRELOAD\0./evil.so\0", "\0" + input, StringComparison.Ordinal);
    }

    [Fact]
    public void PrivilegesAreDropped_BeforeBubblewrapRuns_WithNoNewPrivileges()
    {
        var arguments = SandboxCommandLine.Prepare(Spec, Facts).Arguments.ToList();
        var setpriv = arguments.IndexOf("setpriv");

        Assert.True(setpriv > 0 && setpriv < arguments.IndexOf("/usr/bin/bwrap"));
        Assert.Contains("--reuid=1000007", arguments);
        Assert.Contains("--no-new-privs", arguments);
        Assert.Contains("--clear-groups", arguments);
        Assert.True(arguments.IndexOf("nsenter") < setpriv, "The network namespace is entered by root, before the drop");
    }

    [Fact]
    public void MountView_ShowsTheSystemReadOnly_TheWorkFolderAsApp_AndNothingElseOfTheHost()
    {
        var options = SandboxCommandLine.BubblewrapOptions(Spec, Facts);
        var binds = options.Select((o, i) => (o, i)).Where(x => x.o is "--bind" or "--ro-bind").Select(x => (Kind: x.o, Source: options[x.i + 1], Target: options[x.i + 2])).ToList();

        Assert.Equal([("--bind", "/srv/platform/runtime/apps/a/builds/b", "/app")], binds.Where(b => b.Kind == "--bind"));
        Assert.All(binds.Where(b => b.Kind == "--ro-bind"), b => Assert.Contains(b.Source, SandboxHostFacts.SystemFolders));
        Assert.Contains("--unshare-pid", options);
        Assert.Contains("--unshare-user", options);
        Assert.Contains("--disable-userns", options);
        Assert.Contains("--clearenv", options);
        Assert.Contains("--die-with-parent", options);
    }

    [Fact]
    public void WithoutANetworkNamespace_TheSandboxGetsAnEmptyOne()
    {
        var options = SandboxCommandLine.BubblewrapOptions(Spec with { Network = null }, Facts);

        Assert.Contains("--unshare-net", options);
    }

    [Fact]
    public void AValueWithANul_IsRefused_ItNeverBecomesBubblewrapOptions()
    {
        var spec = Spec with { Environment = new Dictionary<string, string> { ["INNOCENT"] = "x\0--bind\0/\0/host" } };

        var refused = Assert.Throws<Platform.Domain.Runtime.RuntimeFailureException>(() => SandboxCommandLine.Prepare(spec, Facts));

        Assert.Contains("INNOCENT", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("--bind", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutRoot_TheSandboxIsRefused()
    {
        var refused = Assert.Throws<SandboxException>(() => SandboxCommandLine.Prepare(Spec with { User = new RuntimeUser("portal", null, null) }, Facts));

        Assert.Contains("root", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IsolationNone_AsRoot_DropsPrivilegesBeforeAnyVariableApplies()
    {
        var prepared = SandboxCommandLine.Prepare(Spec, Facts with { Isolation = RuntimeIsolation.None });
        var arguments = prepared.Arguments.ToList();

        Assert.Equal("setpriv", prepared.FileName);
        Assert.Equal(["PATH"], prepared.Environment.Keys);
        Assert.True(arguments.IndexOf("--no-new-privs") < arguments.IndexOf("LD_PRELOAD=./evil.so"));
    }
}
