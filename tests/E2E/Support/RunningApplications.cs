using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.E2E.Support;

/// <summary>The sample application, deployed from a throwaway git repository through the API, and waits on its status.</summary>
public static class RunningApplications
{
    /// <summary>The sample application's files, plus noisy.py, which prints <paramref name="lines"/> lines and then runs it.</summary>
    public static Dictionary<string, string> NoisyFiles(string version, int lines)
    {
        var files = SampleApp.Files(version);
        files["noisy.py"] = $"import runpy\nfor i in range({lines}):\n    print(f\"line {{i + 1}} of {lines} before the start\", flush=True)\nrunpy.run_path(\"app.py\")\n";
        return files;
    }

    /// <summary>Creates the sample application "hello" from the repository in the catalogue's environment, not deployed yet.</summary>
    public static Task<Guid> CreateAsync(Catalogue catalogue, TestGitRepository repository, string startCommand = SampleApp.StartCommand) =>
        catalogue.Owner.PostForIdAsync($"/api/environment/{catalogue.EnvironmentId}/application", new
        {
            name = "hello",
            git_repository = new { url = repository.Url, branch = "main", root_path = "/" },
            start_command = startCommand,
            port = 8080,
            healthchecks = new { readiness_probe = new { type = "HTTP", path = "/health", period_seconds = 1, timeout_seconds = 2, failure_threshold = 5 } },
        });

    /// <summary>Creates the sample application from the repository in the catalogue's environment, deploys it and waits until it runs.</summary>
    public static async Task<Guid> DeployAsync(Catalogue catalogue, TestGitRepository repository, string startCommand = SampleApp.StartCommand)
    {
        var application = await CreateAsync(catalogue, repository, startCommand);
        await catalogue.Owner.DeployAsync(application);
        await WaitForStateAsync(catalogue.Owner, application, state => state == "RUNNING");
        return application;
    }

    /// <summary>Polls the API's status of the application (the draft's `state` code) until it satisfies <paramref name="done"/>.</summary>
    public static async Task WaitForStateAsync(HttpClient owner, Guid application, Func<string, bool> done)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(90);
        var state = "";
        while (DateTimeOffset.UtcNow < deadline)
        {
            state = (await owner.GetObjectAsync($"/api/application/{application}/status"))["status"]!["state"]!.GetValue<string>();
            if (done(state))
            {
                return;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"Application {application} stayed {state} for 90 s.");
    }
}
