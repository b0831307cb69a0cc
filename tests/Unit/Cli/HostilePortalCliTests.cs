using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Platform.Cli;
using Platform.Cli.Output;
using Platform.Portal.Infrastructure;

namespace Platform.Tests.Cli;

/// <summary>
/// The client against a hostile portal (an HttpListener answering what it likes): what it answers must not drive the
/// terminal, and the token must not follow a redirect to another address.
/// </summary>
public sealed class HostilePortalCliTests : IDisposable
{
    private const string Token = "plt_hostile-test-token";

    /// <summary>An OSC 52 clipboard write, a screen clear, a title change, a carriage return and Spectre markup.</summary>
    private const string Evil = "\u001b]52;c;ZXZpbA==\u0007\u001b[2J\u001b]0;pwned\u0007[red]evil[/]\roverwritten\u009b31m\u202eRTL";

    private readonly FakePortal _portal = new();

    public void Dispose() => _portal.Dispose();

    [Fact]
    public async Task OrgList_Table_EscapesControlCharactersAndMarkupInNames()
    {
        _portal.Answer("/api/organization", 200,
            $$"""{"results":[{"id":"{{Guid.Empty}}","name":{{Json(Evil)}},"role":"OWNER"},{"id":"{{Guid.Empty}}","name":"[red]x[/]","role":"VIEWER"}]}""");

        var run = await Cli(_portal.Url).RunAsync("org", "list");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        AssertInert(run.Out);
        Assert.Contains("[red]x[/]", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OrgList_OutputJson_OfARawAnswerWithControlBytes_IsEscaped()
    {
        // Not even valid JSON: the raw body is printed as it came, but not its control bytes.
        _portal.Answer("/api/organization", 200, "{\"results\":[{\"name\":\"" + Evil + "\"}]}");

        var run = await Cli(_portal.Url).RunAsync("org", "list", "--output", "json");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        AssertInert(run.Out);
    }

    [Fact]
    public async Task Logs_EscapesControlCharactersInLogLines_AndKeepsEachOnOneLine()
    {
        var application = Guid.NewGuid();
        _portal.Answer($"/api/application/{application}/log", 200,
            $$"""{"results":[{"id":"1","created_at":"2026-12-02T07:00:00Z","stream":"stdout","message":{{Json(Evil + "\nfake: Deployment ended OK.")}}}]}""");

        var run = await Cli(_portal.Url).RunAsync("logs", "--app", application.ToString());

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        AssertInert(run.Out);
        Assert.Single(run.Out.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Problem_FromTheAPortal_IsPrintedWithoutItsControlCharacters()
    {
        var application = Guid.NewGuid();
        _portal.Answer($"/api/application/{application}/status", 404, $$"""{"status":404,"title":{{Json(Evil)}},"detail":{{Json(Evil)}}}""");

        var run = await Cli(_portal.Url).RunAsync("status", "--app", application.ToString());

        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        AssertInert(run.Error);
        Assert.StartsWith("Error 404", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redirect_ToAnotherAddress_DoesNotCarryTheToken()
    {
        using var elsewhere = new FakePortal();
        elsewhere.Answer("/api/organization", 200, """{"results":[]}""");
        _portal.Redirect("/api/organization", new Uri(elsewhere.Url, "api/organization"));

        await Cli(_portal.Url).RunAsync("org", "list");

        var seen = Assert.Single(elsewhere.Requests);
        Assert.Null(seen.Authorization);
        Assert.Equal($"Bearer {Token}", Assert.Single(_portal.Requests).Authorization);
    }

    [Theory]
    [InlineData("\u001b[31m", "\\u001B[31m")]
    [InlineData("a\rb", "a\\u000Db")]
    [InlineData("tab\tstays", "tab\tstays")]
    [InlineData("\u009b", "\\u009B")]
    public void TerminalText_Clean_EscapesWhatATerminalActsOn(string text, string expected) =>
        Assert.Equal(expected, TerminalText.Clean(text));

    private static void AssertInert(string printed)
    {
        var unsafeAt = printed.Select((c, i) => (c, i)).Where(x => x.c != '\n' && x.c != '\t' && (char.IsControl(x.c) || x.c is '\u202e')).ToList();
        Assert.True(unsafeAt.Count == 0, $"control characters reached the terminal at {string.Join(", ", unsafeAt.Select(x => $"{x.i}: U+{(int)x.c:X4}"))}:\n{printed}");
    }

    private static string Json(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private static CliRunner Cli(Uri url) =>
        new(new Dictionary<string, string?> { ["PLATFORM_URL"] = url.ToString(), ["PLATFORM_TOKEN"] = Token, ["XDG_CONFIG_HOME"] = "/nonexistent" });

    private sealed record Seen(string Path, string? Authorization);

    /// <summary>A portal that answers fixed bodies by path (any query) and records who asked.</summary>
    private sealed class FakePortal : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentDictionary<string, Action<HttpListenerResponse>> _answers = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<Seen> _requests = new();

        public FakePortal()
        {
            Url = new Uri($"http://127.0.0.1:{FreePorts.Next()}/");
            _listener.Prefixes.Add(Url.ToString());
            _listener.Start();
            _ = ServeAsync();
        }

        public Uri Url { get; }

        public IReadOnlyCollection<Seen> Requests => _requests.ToArray();

        public void Answer(string path, int status, string body) => _answers[path] = response =>
        {
            response.StatusCode = status;
            response.ContentType = status >= 400 ? "application/problem+json" : "application/json";
            var bytes = Encoding.UTF8.GetBytes(body);
            response.OutputStream.Write(bytes);
        };

        public void Redirect(string path, Uri to) => _answers[path] = response =>
        {
            response.StatusCode = 307;
            response.RedirectLocation = to.ToString();
        };

        public void Dispose() => _listener.Close();

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                var path = context.Request.Url!.AbsolutePath;
                _requests.Enqueue(new Seen(path, context.Request.Headers["Authorization"]));
                if (_answers.TryGetValue(path, out var answer))
                {
                    answer(context.Response);
                }
                else
                {
                    context.Response.StatusCode = 404;
                }

                context.Response.Close();
            }
        }
    }
}
