using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Platform.E2E.Support;
using Platform.Tests.Deployments;
using Platform.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Platform.E2E.Deployments;

/// <summary>
/// An application is code from a stranger: opened in the browser where the portal's user is signed in, its page must
/// not be able to act as the portal, whatever policy it sends about itself.
/// </summary>
[Collection(PortalInABrowser.Name)]
public sealed class AppOriginTests(E2EPortal portal, BrowserFixture browser) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() => _context = await browser.Browser.NewContextAsync();

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task ApplicationPage_InTheSignedInBrowser_LearnsNothingAboutThePortalsUser()
    {
        var organizationName = $"acme-{Guid.NewGuid():N}"[..16];
        var catalogue = await Catalogue.CreateAsync(portal.Portal, organizationName);
        var url = await DeployCuriousApplicationAsync(catalogue);
        var page = await _context.NewPageAsync();
        var user = new PortalPages(page, portal.ServerAddress);
        await user.SignInAsync(catalogue.OwnerUser.Email, catalogue.OwnerUser.Password);
        await user.WaitUntilInteractiveAsync();

        var portalOrigin = portal.ServerAddress.GetLeftPart(UriPartial.Authority);
        await page.GotoAsync($"{url}?portal={Uri.EscapeDataString(portalOrigin)}&org={catalogue.OrganizationId}");
        var learned = page.Locator("#learned");
        await Expect(learned).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^\\{"), new() { Timeout = 30_000 });

        var text = (await learned.TextContentAsync())!;
        var seen = JsonNode.Parse(text)!.AsObject();
        Assert.DoesNotContain(catalogue.OwnerUser.Email, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(catalogue.OwnerUser.LastName, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(organizationName, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("plt_", text, StringComparison.Ordinal);
        Assert.Equal("", seen["cookie"]!.GetValue<string>());
        var api = seen["api"]!.GetValue<string>();
        Assert.True(api.StartsWith("failed", StringComparison.Ordinal) || api.StartsWith("401", StringComparison.Ordinal), $"The portal's API answered the application's page: {api}");
        Assert.True(seen["frame"]!.GetValue<string>().StartsWith("unreadable", StringComparison.Ordinal), $"The application's page read a portal page: {text}");
        Assert.True(seen["worker"]!.GetValue<string>().StartsWith("refused", StringComparison.Ordinal), $"The application's page registered a service worker over the portal: {text}");
    }

    private static async Task<Uri> DeployCuriousApplicationAsync(Catalogue catalogue)
    {
        using var repository = await TestGitRepository.CreateAsync(new Dictionary<string, string> { ["app.py"] = CuriousApp }, "A curious page");
        var application = await catalogue.Owner.PostForIdAsync($"/api/environment/{catalogue.EnvironmentId}/application", new
        {
            name = "curious",
            git_repository = new { url = repository.Url, branch = "main", root_path = "/" },
            start_command = "python3 app.py",
            port = 8080,
            healthchecks = new { readiness_probe = new { type = "HTTP", path = "/health", period_seconds = 1, timeout_seconds = 2, failure_threshold = 5 } },
        });
        await catalogue.Owner.DeployAsync(application);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var status = await catalogue.Owner.GetFromJsonAsync<JsonObject>($"/api/application/{application}/status");
            var state = status!["status"]!["state"]!.GetValue<string>();
            if (state == "RUNNING")
            {
                var answer = await catalogue.Owner.GetFromJsonAsync<JsonObject>($"/api/application/{application}");
                return new Uri(answer!["url"]!.GetValue<string>());
            }

            Assert.True(DateTime.UtcNow < deadline && !state.EndsWith("_ERROR", StringComparison.Ordinal), $"The application did not start: {status.ToJsonString()}");
            await Task.Delay(250);
        }
    }

    /// <summary>
    /// A page that sends the most permissive policy it can about itself, then tries to use the visitor's portal
    /// session four ways and writes what it learned into #learned.
    /// </summary>
    private const string CuriousApp = """
        import os
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        PAGE = b'<!doctype html><html><head><title>curious</title></head><body><pre id="learned">running</pre><script src="probe.js"></script></body></html>'
        PROBE = b'''
        const query = new URLSearchParams(location.search);
        const portal = query.get("portal");
        const learned = {};
        const framed = () => new Promise(resolve => {
          const frame = document.createElement("iframe");
          frame.src = portal + "/organization/" + query.get("org") + "/tokens";
          frame.onload = () => {
            try { resolve("read: " + frame.contentDocument.documentElement.outerHTML); }
            catch (error) { resolve("unreadable: " + error); }
          };
          setTimeout(() => resolve("unreadable: no load"), 10000);
          document.body.appendChild(frame);
        });
        (async () => {
          try {
            const answer = await fetch(portal + "/api/user", { credentials: "include" });
            learned.api = answer.status + " " + await answer.text();
          } catch (error) { learned.api = "failed: " + error; }
          learned.cookie = document.cookie;
          learned.frame = await framed();
          try {
            const registration = await navigator.serviceWorker.register(new URL("sw.js", location.href).href, { scope: portal + "/" });
            learned.worker = "registered: " + registration.scope;
          } catch (error) { learned.worker = "refused: " + error; }
          document.getElementById("learned").textContent = JSON.stringify(learned);
        })();
        '''
        WORKER = b'self.addEventListener("fetch", () => {});'
        POLICY = "sandbox allow-scripts allow-same-origin allow-forms allow-popups; default-src * 'unsafe-inline' 'unsafe-eval'"


        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                path = self.path.split("?", 1)[0]
                if path == "/health":
                    self.send(200, "text/plain", b"ok")
                elif path == "/":
                    self.send(200, "text/html; charset=utf-8", PAGE)
                elif path == "/probe.js":
                    self.send(200, "text/javascript", PROBE)
                elif path == "/sw.js":
                    self.send(200, "text/javascript", WORKER)
                else:
                    self.send(404, "text/plain", b"not found")

            def send(self, status, kind, body):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Content-Security-Policy", POLICY)
                self.send_header("Service-Worker-Allowed", "/")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):
                pass


        ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
        """;
}
