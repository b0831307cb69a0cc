using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Platform.Tests.Deployments;

namespace Platform.Benchmarks.Harness;

/// <summary>
/// Real applications for the runtime benchmarks: an environment of the owner's, an application fetched from a git
/// repository of the benchmark's (no build step), and a subscriber on /hubs/live as the browser has one, which sees
/// the "status" pushes (RUNNING) and, for whoever asks, the "logs" and "deployment" pushes.
/// </summary>
internal sealed class LiveApplications : IAsyncDisposable
{
    private readonly ApiSession _owner;
    private readonly ConcurrentDictionary<Guid, List<(string State, long At)>> _states = new();
    private readonly ConcurrentDictionary<Guid, JsonElement> _deployments = new();
    private readonly SemaphoreSlim _changed = new(0);
    private readonly List<TestGitRepository> _repositories = [];

    private LiveApplications(ApiSession owner, Guid environmentId, HubConnection hub)
    {
        _owner = owner;
        EnvironmentId = environmentId;
        Hub = hub;
    }

    public Guid EnvironmentId { get; }

    /// <summary>The subscriber; register further handlers (e.g. "logs") on it before subscribing.</summary>
    public HubConnection Hub { get; }

    public static async Task<LiveApplications> StartAsync(BenchRun run, string name)
    {
        var owner = run.Owner;
        var organization = await owner.CreateAsync("/api/organization", new { name });
        var project = await owner.CreateAsync($"/api/organization/{organization}/project", new { name = "bench" });
        var environment = await owner.CreateAsync($"/api/project/{project}/environment", new { name = "production", mode = "PRODUCTION" });
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(run.Portal.Address, "/hubs/live"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(owner.Token))
            .Build();
        var applications = new LiveApplications(owner, environment, hub);
        hub.On<JsonElement>("status", applications.OnStatus);
        hub.On<JsonElement>("deployment", applications.OnDeployment);
        await hub.StartAsync();
        return applications;
    }

    /// <summary>A git repository holding these files; deleted with this object.</summary>
    public async Task<TestGitRepository> RepositoryAsync(IReadOnlyDictionary<string, string> files)
    {
        var repository = await TestGitRepository.CreateAsync(files);
        _repositories.Add(repository);
        return repository;
    }

    /// <summary>An application on that repository, started by <paramref name="startCommand"/>, with a TCP readiness probe and these variables; subscribed to.</summary>
    public async Task<Guid> CreateAsync(string name, TestGitRepository repository, string startCommand, IReadOnlyDictionary<string, string>? variables = null)
    {
        var application = await _owner.CreateAsync($"/api/environment/{EnvironmentId}/application", new
        {
            name,
            git_repository = new { url = repository.Url, branch = "main", root_path = "/" },
            start_command = startCommand,
            port = 8080,
            memory = 256,
            healthchecks = new { readiness_probe = new { type = "TCP", period_seconds = 1, timeout_seconds = 2, failure_threshold = 10 } },
        });
        foreach (var (key, value) in variables ?? new Dictionary<string, string>())
        {
            await _owner.CreateAsync($"/api/application/{application}/environmentVariable", new { key, value, scope = "APPLICATION" });
        }

        await Hub.InvokeAsync("SubscribeApplication", application);
        return application;
    }

    /// <summary>POSTs the deploy; answers the environment deployment's id and the <see cref="Stopwatch"/> timestamp just before the request left.</summary>
    public async Task<(Guid DeploymentId, long PostedAt)> DeployAsync(Guid applicationId)
    {
        var posted = Stopwatch.GetTimestamp();
        var response = await _owner.Client.PostAsync($"/api/application/{applicationId}/deploy", null);
        var text = await response.Content.ReadAsStringAsync();
        return response.StatusCode == System.Net.HttpStatusCode.Accepted
            ? (Guid.Parse(JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!), posted)
            : throw new InvalidOperationException($"POST /api/application/{applicationId}/deploy answered {(int)response.StatusCode}: {text}");
    }

    /// <summary>
    /// Waits for the hub's push of RUNNING for the application that follows another state pushed after
    /// <paramref name="since"/> (a redeploy passes through QUEUED/DEPLOYING first); answers when it arrived.
    /// </summary>
    public async Task<long> WaitRunningAsync(Guid applicationId, long since, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (_states.TryGetValue(applicationId, out var states))
            {
                lock (states)
                {
                    var after = states.Where(s => s.At >= since).ToList();
                    var other = after.FindIndex(s => s.State != "RUNNING");
                    var running = other < 0 ? -1 : after.FindIndex(other, s => s.State == "RUNNING");
                    if (running >= 0)
                    {
                        return after[running].At;
                    }

                    if (after.Find(s => s.State.EndsWith("_ERROR", StringComparison.Ordinal)) is { State: { } failed })
                    {
                        throw new InvalidOperationException($"The application ended in {failed}; see its log.");
                    }
                }
            }

            var left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0)
            {
                throw new TimeoutException($"No RUNNING pushed for application {applicationId} within {timeout.TotalSeconds:0} s.");
            }

            await _changed.WaitAsync(TimeSpan.FromMilliseconds(Math.Min(500, left * 1000.0 / Stopwatch.Frequency)));
        }
    }

    /// <summary>The last "deployment" push of that environment deployment (its steps with their times).</summary>
    public JsonElement? LastDeploymentPush(Guid deploymentId) => _deployments.TryGetValue(deploymentId, out var d) ? d : null;

    public Task StopAsync(Guid applicationId) => _owner.Client.PostAsync($"/api/application/{applicationId}/stop", null);

    /// <summary>Milliseconds between two <see cref="Stopwatch"/> timestamps.</summary>
    public static double Milliseconds(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    private void OnStatus(JsonElement message)
    {
        var at = Stopwatch.GetTimestamp();
        if (message.TryGetProperty("service", out var service) && service.ValueKind == JsonValueKind.Object
            && Guid.TryParse(service.GetProperty("id").GetString(), out var id))
        {
            var states = _states.GetOrAdd(id, _ => []);
            lock (states)
            {
                states.Add((message.GetProperty("status").GetProperty("state").GetString() ?? "", at));
            }

            _changed.Release();
        }
    }

    private void OnDeployment(JsonElement message)
    {
        if (Guid.TryParse(message.GetProperty("id").GetString(), out var id))
        {
            _deployments[id] = message.Clone();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Hub.DisposeAsync();
        foreach (var repository in _repositories)
        {
            repository.Dispose();
        }
    }
}
