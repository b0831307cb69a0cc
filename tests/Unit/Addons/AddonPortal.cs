using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.Domain.Addons;
using Platform.Domain.Common;
using Platform.Tests.Billing;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Addons;

/// <summary>
/// A real portal on the fake runtime whose addons may reach loopback receivers (Addons:AllowPrivateAddresses), with
/// quick retries and a short timeout, an in-process SMTP server, and its log captured.
/// </summary>
public sealed class AddonPortal : IAsyncLifetime
{
    public const int TimeoutSeconds = 4;
    public const int MaxAttempts = 3;
    public const int RetryBaseSeconds = 2;

    private SmtpServer.SmtpServer? _smtp;

    public AddonPortal() => Portal = PortalFactory.With(
        new Dictionary<string, string?>
        {
            ["Addons:AllowPrivateAddresses"] = "true",
            ["Addons:SlackWebhookHosts:0"] = "127.0.0.1",
            ["Addons:RetryBaseSeconds"] = RetryBaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Addons:MaxAttempts"] = MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Addons:TimeoutSeconds"] = TimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
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
        var options = new SmtpServer.SmtpServerOptionsBuilder().ServerName("localhost")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Smtp.Port))).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(Smtp);
        _smtp = new SmtpServer.SmtpServer(options, services);
        _ = _smtp.StartAsync(CancellationToken.None);
        await Portal.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)Portal).DisposeAsync();
        if (_smtp is not null)
        {
            _smtp.Shutdown();
            await _smtp.ShutdownTask;
        }
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

    /// <summary>Installs an addon as the catalogue stores it: public settings in clear, secret ones as one protected JSON object.</summary>
    public async Task<ProjectAddon> InstallAsync(Guid projectId, AddonKind kind, IReadOnlyDictionary<string, string> secrets, IReadOnlyDictionary<string, string>? settings = null, string regex = ".*")
    {
        await using var db = await Db();
        var organizationId = await db.Projects.Where(p => p.Id == projectId).Select(p => p.OrganizationId).SingleAsync();
        var protector = Portal.Services.GetRequiredService<ISecretProtector>();
        var addon = new ProjectAddon
        {
            OrganizationId = organizationId,
            ProjectId = projectId,
            Kind = kind,
            MatchingEnvironmentsRegex = regex,
            Settings = settings?.ToDictionary() ?? [],
            ProtectedSecrets = secrets.Count == 0 ? null : protector.Protect(JsonSerializer.Serialize(secrets)),
            CreatedAt = DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow,
        };
        db.ProjectAddons.Add(addon);
        await db.SaveChangesAsync();
        return addon;
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

/// <summary>One request a receiver took, as it came.</summary>
public sealed record ReceivedRequest(string Path, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset At)
{
    public JsonDocument Json => JsonDocument.Parse(Body);

    public string? Event => Headers.GetValueOrDefault("X-Platform-Event");
}

/// <summary>
/// A real HTTP receiver on a loopback port (Kestrel), started by a test: it keeps each request and answers as told
/// (200 by default). What it is told to do is attacker-shaped on purpose: fail, hang, redirect, echo.
/// </summary>
public sealed class TestReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _holding;

    private TestReceiver(Func<ReceivedRequest, HttpContext, CancellationToken, Task>? answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var request = new ReceivedRequest(context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body, DateTimeOffset.UtcNow);
            _requests.Enqueue(request);
            if (answer is not null)
            {
                await answer(request, context, _stopping.Token);
            }
        });
    }

    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests];

    /// <summary>Requests it holds open now (a hanging receiver).</summary>
    public int Holding => Volatile.Read(ref _holding);

    public Uri BaseAddress { get; private set; } = null!;

    public Uri Url(string path) => new(BaseAddress, path);

    public static async Task<TestReceiver> StartAsync(Func<ReceivedRequest, HttpContext, CancellationToken, Task>? answer = null)
    {
        var receiver = new TestReceiver(answer);
        await receiver._app.StartAsync();
        receiver.BaseAddress = new Uri(receiver._app.Urls.First());
        return receiver;
    }

    /// <summary>A receiver that answers every request with this status.</summary>
    public static Task<TestReceiver> AnsweringAsync(int status, string body = "") => StartAsync(async (_, context, stopping) =>
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsync(body, stopping);
    });

    /// <summary>A receiver that holds every request open until the client gives up or the receiver stops.</summary>
    public static Task<TestReceiver> HangingAsync()
    {
        TestReceiver? self = null;
        var started = StartAsync(async (_, context, stopping) =>
        {
            Interlocked.Increment(ref self!._holding);
            try
            {
                using var either = CancellationTokenSource.CreateLinkedTokenSource(stopping, context.RequestAborted);
                await Task.Delay(Timeout.Infinite, either.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            finally
            {
                Interlocked.Decrement(ref self!._holding);
            }
        });
        return started.ContinueWith(t => self = t.Result, TaskScheduler.Default);
    }

    /// <summary>Waits until it took a request that satisfies the condition.</summary>
    public Task<ReceivedRequest> WaitForAsync(Func<ReceivedRequest, bool> match, string what, TimeSpan? timeout = null) =>
        Poll.UntilAsync(() => Task.FromResult(Requests.FirstOrDefault(match)), r => r is not null, what, timeout)!;

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}

/// <summary>What a receiver does with <c>X-Platform-Signature</c>, as the README shows it: recompute, compare in constant time, bound the age.</summary>
public static class WebhookVerifier
{
    public static bool Verify(string? header, string body, string signingSecret, DateTimeOffset now, TimeSpan tolerance)
    {
        var parts = (header ?? "").Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parts.TryGetValue("t", out var t) || !parts.TryGetValue("v1", out var v1) || !long.TryParse(t, out var seconds))
        {
            return false;
        }

        if ((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > tolerance)
        {
            return false;
        }

        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingSecret), Encoding.UTF8.GetBytes($"{t}.{body}"));
        return CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(v1.Length % 2 == 0 ? v1 : "0" + v1));
    }
}
