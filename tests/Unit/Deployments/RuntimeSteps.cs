using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Platform.Tests.Support;

namespace Platform.Tests.Deployments;

/// <summary>A signed-in owner with a project, shared by the tests of one class; each test makes its own environment.</summary>
public sealed record RuntimeTeam(HttpClient Owner, Guid ProjectId)
{
    public static Task<RuntimeTeam> OfAsync(PortalFactory portal) => portal.SharedAsync(async p =>
    {
        var (owner, _) = await p.CreateUserClientAsync();
        var organization = await owner.PostForIdAsync("/api/organization", new { name = $"runtime-{CatalogueSteps.Unique()}" });
        var project = await owner.PostForIdAsync($"/api/organization/{organization}/project", new { name = "shop" });
        return new RuntimeTeam(owner, project);
    });

    public Task<Guid> CreateEnvironmentAsync() =>
        Owner.PostForIdAsync($"/api/project/{ProjectId}/environment", new { name = $"env-{CatalogueSteps.Unique()}", mode = "DEVELOPMENT" });
}

/// <summary>Steps of the deployment tests: create and deploy applications from test repositories, wait for states, call them through the router.</summary>
public static class RuntimeSteps
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Calls applications on their hosts through the portal's router; one client for all tests.</summary>
    public static readonly HttpClient Router = new(AppHosts.Handler())
    {
        Timeout = TimeSpan.FromSeconds(10),
    };

    private static readonly string[] Ended = ["OK", "FAILED", "ABORTED"];

    /// <summary>The sample application's settings with fast probes; a test changes what it needs.</summary>
    public static JsonObject ApplicationBody(string repositoryUrl, string name = "web") => new()
    {
        ["name"] = name,
        ["git_repository"] = new JsonObject { ["url"] = repositoryUrl, ["branch"] = "main", ["root_path"] = "/" },
        ["build_command"] = null,
        ["start_command"] = SampleApp.StartCommand,
        ["port"] = 8080,
        ["cpu"] = 0.5,
        ["memory"] = 64,
        ["min_running_instances"] = 1,
        ["max_running_instances"] = 1,
        ["healthchecks"] = new JsonObject
        {
            ["readiness_probe"] = new JsonObject
            {
                ["type"] = "HTTP", ["path"] = "/health", ["initial_delay_seconds"] = 0, ["period_seconds"] = 1, ["timeout_seconds"] = 2, ["failure_threshold"] = 3,
            },
            ["liveness_probe"] = null,
        },
    };

    public static Task<Guid> CreateApplicationAsync(this HttpClient client, Guid environmentId, JsonObject body) =>
        client.PostForIdAsync($"/api/environment/{environmentId}/application", body);

    /// <summary>Changes some of an application's settings (PUT keeps what is left out).</summary>
    public static async Task UpdateApplicationAsync(this HttpClient client, Guid applicationId, object changes) =>
        await (await client.PutAsJsonAsync($"/api/application/{applicationId}", changes)).ExpectAsync(HttpStatusCode.OK, "PUT application");

    /// <summary>Requests a deployment of the application (the branch head, or a commit); answers it as queued (202).</summary>
    public static async Task<JsonObject> DeployAsync(this HttpClient client, Guid applicationId, string? commitId = null)
    {
        var response = commitId is null
            ? await client.PostAsync($"/api/application/{applicationId}/deploy", null)
            : await client.PostAsJsonAsync($"/api/application/{applicationId}/deploy", new { git_commit_id = commitId });
        return await response.ReadJsonAsync(HttpStatusCode.Accepted, "POST deploy");
    }

    /// <summary>POSTs a request that answers a deployment with 202 (deploy, stop, abort, rollback…); answers it.</summary>
    public static async Task<JsonObject> PostForDeploymentAsync(this HttpClient client, string path) =>
        await (await client.PostAsync(path, null)).ReadJsonAsync(HttpStatusCode.Accepted, $"POST {path}");

    public static Task<JsonObject> DeploymentAsync(this HttpClient client, JsonObject deployment) =>
        client.GetObjectAsync($"/api/environment/{deployment.Text("environment_id")}/deployment/{deployment.Text("id")}");

    public static string State(this JsonNode json) => json["status"]!["state"]!.GetValue<string>();

    /// <summary>Waits until the deployment ended (OK, FAILED or ABORTED); answers it as it ended.</summary>
    public static Task<JsonObject> EndedAsync(this HttpClient client, JsonObject deployment) =>
        Poll.UntilAsync(() => client.DeploymentAsync(deployment), d => Ended.Contains(d.State()), $"deployment {deployment.Text("id")} to end");

    /// <summary>Deploys and insists the deployment ends OK; answers it.</summary>
    public static async Task<JsonObject> DeployOkAsync(this HttpClient client, Guid applicationId, string? commitId = null)
    {
        var ended = await client.EndedAsync(await client.DeployAsync(applicationId, commitId));
        Assert.True(ended.State() == "OK", $"The deployment did not succeed: {ended.ToJsonString()}");
        return ended;
    }

    public static async Task<string> ServiceStateAsync(this HttpClient client, string kind, Guid id) =>
        (await client.GetObjectAsync($"/api/{kind}/{id}/status")).State();

    public static Task<string> ApplicationStateAsync(this HttpClient client, Guid applicationId) => client.ServiceStateAsync("application", applicationId);

    public static Task<string> WaitForStateAsync(this HttpClient client, string kind, Guid id, string state) =>
        Poll.UntilAsync(() => client.ServiceStateAsync(kind, id), s => s == state, $"{kind} {id} to be {state}");

    /// <summary>The router address GET application answers once it runs.</summary>
    public static async Task<Uri> UrlAsync(this HttpClient client, Guid applicationId)
    {
        var application = await client.GetObjectAsync($"/api/application/{applicationId}");
        return application["url"] is { } url
            ? new Uri(url.GetValue<string>())
            : throw new InvalidOperationException($"The application has no url: {application.ToJsonString()}");
    }

    /// <summary>The states of the application's events, newest first.</summary>
    public static async Task<List<string>> EventStatesAsync(this HttpClient client, Guid applicationId) =>
        (await client.GetResultsAsync($"/api/application/{applicationId}/event?tail=200")).Select(e => e!.State()).ToList();

    public static Task<List<string>> WaitForEventAsync(this HttpClient client, Guid applicationId, string state) =>
        Poll.UntilAsync(() => client.EventStatesAsync(applicationId), states => states.Contains(state), $"an event {state} of application {applicationId}");

    /// <summary>GET through the router: the status and the body, or (0, the error) when the call itself failed.</summary>
    public static async Task<(int Status, string Body)> CallAsync(Uri url, string path = "")
    {
        try
        {
            using var response = await Router.GetAsync(new Uri(url, path));
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException exception)
        {
            return (0, exception.Message);
        }
        catch (TaskCanceledException exception)
        {
            return (0, exception.Message);
        }
    }

    /// <summary>GET through the router, insisting on 200; answers the JSON.</summary>
    public static async Task<JsonNode> GetJsonAsync(Uri url, string path = "")
    {
        var (status, body) = await CallAsync(url, path);
        Assert.True(status == 200, $"GET {new Uri(url, path)} answered {status}: {body}");
        return JsonNode.Parse(body)!;
    }

    /// <summary>Waits until the application answers 200 at that path and the answer satisfies the condition.</summary>
    public static async Task<JsonNode> WaitForAnswerAsync(Uri url, string path, Func<JsonNode, bool> done, string what)
    {
        var (_, body) = await Poll.UntilAsync(() => CallAsync(url, path), a => a.Status == 200 && done(JsonNode.Parse(a.Body)!), what);
        return JsonNode.Parse(body)!;
    }

    public static string Version(this JsonNode answer) => answer["version"]!.GetValue<string>();
}

/// <summary>Polls at a short interval until a condition holds, failing with the last value seen.</summary>
public static class Poll
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var watch = Stopwatch.StartNew();
        var limit = timeout ?? RuntimeSteps.Timeout;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (watch.Elapsed > limit)
            {
                var shown = value is JsonNode json ? json.ToJsonString() : value is System.Collections.IEnumerable list and not string
                    ? string.Join(", ", list.Cast<object>()) : value?.ToString();
                throw new TimeoutException($"Waited {limit.TotalSeconds:0} s for {what}; last seen: {shown}");
            }

            await Task.Delay(200);
        }
    }
}
