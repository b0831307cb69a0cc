using System.Text.Json.Nodes;
using Platform.Tests.Deployments;
using Platform.Tests.Support;

namespace Platform.Tests.Security;

/// <summary>
/// A hostile application for the review's escape tests: it serves /health, and /sh?c=CMD runs CMD with /bin/sh inside
/// its sandbox and answers {code, out, err}, so a test can look around from the application's point of view.
/// </summary>
public static class ShellApp
{
    public const string StartCommand = "python3 app.py";

    public static Dictionary<string, string> Files(IReadOnlyDictionary<string, string>? extra = null)
    {
        var files = new Dictionary<string, string> { ["app.py"] = App };
        foreach (var (name, content) in extra ?? new Dictionary<string, string>())
        {
            files[name] = content;
        }

        return files;
    }

    public static JsonObject Body(string repositoryUrl, string name = "shell")
    {
        var body = RuntimeSteps.ApplicationBody(repositoryUrl, name);
        body["start_command"] = StartCommand;
        return body;
    }

    public sealed record Deployed(HttpClient Owner, Guid Id, Guid EnvironmentId, Uri Url);

    /// <summary>Creates the shell application in a new environment, lets the test change it (variables, secrets), deploys it.</summary>
    public static async Task<Deployed> DeployAsync(PortalFactory portal, Func<HttpClient, Guid, Task>? before = null, JsonObject? body = null,
        IReadOnlyDictionary<string, string>? extraFiles = null, bool withDatabase = false)
    {
        using var repository = await TestGitRepository.CreateAsync(Files(extraFiles));
        var team = await RuntimeTeam.OfAsync(portal);
        var environment = await team.CreateEnvironmentAsync();
        if (withDatabase)
        {
            var database = await team.Owner.PostForIdAsync($"/api/environment/{environment}/database", new { name = "main" });
            await team.Owner.EndedAsync(await team.Owner.PostForDeploymentAsync($"/api/database/{database}/deploy"));
        }

        var settings = body ?? Body(repository.Url);
        settings["git_repository"]!["url"] = repository.Url;
        var application = await team.Owner.CreateApplicationAsync(environment, settings);
        if (before is not null)
        {
            await before(team.Owner, application);
        }

        await team.Owner.DeployOkAsync(application);
        return new Deployed(team.Owner, application, environment, await team.Owner.UrlAsync(application));
    }

    /// <summary>Runs a shell command in the application's sandbox; answers (code, stdout, stderr).</summary>
    public static async Task<(int Code, string Out, string Err)> ShAsync(Uri url, string command)
    {
        var (status, text) = await RuntimeSteps.CallAsync(url, $"sh?c={Uri.EscapeDataString(command)}");
        Assert.True(status == 200, $"sh answered {status}: {text}");
        var json = JsonNode.Parse(text)!;
        return (json["code"]!.GetValue<int>(), json["out"]!.GetValue<string>(), json["err"]!.GetValue<string>());
    }

    private const string App = """
        import json
        import os
        import subprocess
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qs, urlparse


        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlparse(self.path)
                query = parse_qs(url.query)
                if url.path == "/health":
                    self.answer({"ok": True})
                elif url.path == "/sh":
                    try:
                        done = subprocess.run(["/bin/sh", "-c", query["c"][0]], capture_output=True, timeout=60)
                        self.answer({"code": done.returncode, "out": done.stdout.decode("utf-8", "replace")[:200000],
                                     "err": done.stderr.decode("utf-8", "replace")[:20000]})
                    except subprocess.TimeoutExpired:
                        self.answer({"code": -1, "out": "", "err": "timeout"})
                else:
                    self.send_error(404)

            def answer(self, body):
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format, *args):
                pass


        ThreadingHTTPServer.daemon_threads = True
        ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()
        """;
}
