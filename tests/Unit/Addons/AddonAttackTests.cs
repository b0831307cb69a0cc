using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using Platform.Domain.Addons;
using Platform.Portal.Addons;

namespace Platform.Tests.Addons;

/// <summary>
/// The outbound client against a tenant's receivers at their worst: host spellings that mean loopback, answers cut
/// off, trickled or with huge headers. Raw sockets, so the answers can be as broken as an attacker makes them.
/// </summary>
public sealed class AddonAttackTests
{
    private static readonly Dictionary<string, string> NoHeaders = [];

    [Theory]
    [InlineData("http://2130706433:{0}/hook")]
    [InlineData("http://0x7f.1:{0}/hook")]
    [InlineData("http://0177.0.0.1:{0}/hook")]
    [InlineData("http://0:{0}/hook")]
    [InlineData("http://[::ffff:127.0.0.1]:{0}/hook")]
    [InlineData("http://[::ffff:7f00:1]:{0}/hook")]
    [InlineData("http://[::1]:{0}/hook")]
    [InlineData("http://localhost.:{0}/hook")]
    public async Task LoopbackSpelledOtherwise_IsRefusedAtConnect_AndNothingArrives(string url)
    {
        await using var receiver = await TestReceiver.StartAsync();
        var http = Client(new AddonSettings { AllowPrivateAddresses = false });

        var outcome = await http.PostJsonAsync(new Uri(string.Format(System.Globalization.CultureInfo.InvariantCulture, url, receiver.BaseAddress.Port)), "{}", NoHeaders, [], CancellationToken.None);

        Assert.False(outcome.Delivered);
        Assert.True(outcome.Error!.StartsWith("refused: private address", StringComparison.Ordinal) || outcome.Error == "the host name did not resolve", outcome.Error);
        Assert.Empty(receiver.Requests);
    }

    [Theory]
    [InlineData("::7f00:1")]
    [InlineData("64:ff9b::7f00:1")]
    [InlineData("64:ff9b:1::a00:5")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2")]
    [InlineData("192.0.0.8")]
    [InlineData("198.18.0.1")]
    [InlineData("255.255.255.255")]
    public void EmbeddedAndSpecialAddresses_AreRefused(string address) =>
        Assert.True(AddonHttp.IsRefused(IPAddress.Parse(address)), address);

    [Fact]
    public async Task AnswerCutOffMidBody_IsAFailedAttemptInOurWords_NotAFaultOfThePortal()
    {
        await using var receiver = await RawReceiver.StartAsync(async stream =>
        {
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"ok\":"u8.ToArray());
            await stream.FlushAsync();
        });
        var http = Client(new AddonSettings { AllowPrivateAddresses = true, TimeoutSeconds = 5 });

        var outcome = await http.PostJsonAsync(receiver.Url, "{}", NoHeaders, [], CancellationToken.None);

        Assert.False(outcome.Delivered);
        Assert.Equal("the receiver closed the connection before answering in full", outcome.Error);
    }

    [Fact]
    public async Task TrickledAnswer_IsCutAtTheTimeout_OverTheWholeAttempt()
    {
        await using var receiver = await RawReceiver.StartAsync(async stream =>
        {
            await stream.WriteAsync("HTTP/1.1 500 Oops\r\nContent-Length: 100000\r\n\r\n"u8.ToArray());
            for (var i = 0; i < 100; i++)
            {
                await stream.WriteAsync("x"u8.ToArray());
                await stream.FlushAsync();
                await Task.Delay(200);
            }
        });
        var http = Client(new AddonSettings { AllowPrivateAddresses = true, TimeoutSeconds = 1 });

        var outcome = await http.PostJsonAsync(receiver.Url, "{}", NoHeaders, [], CancellationToken.None);

        Assert.Equal("timed out after 1 s", outcome.Error);
        Assert.InRange(outcome.DurationMs, 900, 3000);
    }

    [Fact]
    public async Task HugeHeaders_AreRefusedAtTheHandlersLimit_WithoutReadingThemAll()
    {
        await using var receiver = await RawReceiver.StartAsync(async stream =>
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nX-Big: {new string('a', 512 * 1024)}\r\nContent-Length: 0\r\n\r\n"));
            await stream.FlushAsync();
        });
        var http = Client(new AddonSettings { AllowPrivateAddresses = true, TimeoutSeconds = 5 });

        var outcome = await http.PostJsonAsync(receiver.Url, "{}", NoHeaders, [], CancellationToken.None);

        Assert.False(outcome.Delivered);
        Assert.Equal("the answer's headers are too large", outcome.Error);
    }

    [Fact]
    public async Task EchoedTokenPushedToTheSnippetsEdge_IsStillBlanked_NotShownInPart()
    {
        const string token = "tok_0123456789abcdefghij";
        await using var receiver = await TestReceiver.AnsweringAsync(500, new string(' ', 470) + token + " was not found");
        var http = Client(new AddonSettings { AllowPrivateAddresses = true });

        var outcome = await http.PostJsonAsync(receiver.Url($"/hooks/{token}"), "{}", NoHeaders, [], CancellationToken.None);

        Assert.Equal(500, outcome.HttpStatus);
        Assert.DoesNotContain(token[..6], outcome.Error, StringComparison.Ordinal);
        Assert.StartsWith("HTTP 500: ••••••••", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void MailSubject_WithLineBreaksInTheNames_StaysOneHeader_AndAddsNoRecipient()
    {
        var project = new NotificationRef(Guid.NewGuid(), "shop\r\nBcc: thief@example.com");
        var environment = new NotificationRef(Guid.NewGuid(), "prod\r\n\r\nInjected body");
        var notification = new AddonNotification(AddonEvents.Test, "Test", "A test.", DateTimeOffset.UtcNow, project, environment, null, [], null, new Uri("https://portal.example.com/"));
        var message = new MimeKit.MimeMessage { Subject = AddonSender.MailSubject(notification) };
        message.From.Add(MimeKit.MailboxAddress.Parse("portal@example.com"));
        message.To.Add(MimeKit.MailboxAddress.Parse("team@example.com"));
        message.Body = new MimeKit.TextPart("plain") { Text = "body" };

        using var written = new MemoryStream();
        message.WriteTo(written);
        var parsed = MimeKit.MimeMessage.Load(new MemoryStream(written.ToArray()));

        Assert.Empty(parsed.Bcc);
        Assert.Equal(["team@example.com"], parsed.To.Mailboxes.Select(m => m.Address));
        Assert.DoesNotContain("Injected body", parsed.TextBody ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public void RegexThatSlipsPastTheProbes_AtDispatch_SelectsNothingWithinItsTimeLimit()
    {
        // \x63 is "c", a character the probes do not try: it compiles, and explodes on a name of c's that does not end as expected.
        var regex = EnvironmentPattern.Compile(@"^(\x63+\x63+)+$");
        var timer = Stopwatch.StartNew();

        var selected = EnvironmentPattern.Matches(regex.Value, new string('c', 40) + "-");

        Assert.True(regex.IsSuccess);
        Assert.False(selected);
        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(1), $"the match took {timer.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public void SlackMessage_WithAMentionInAName_EscapesItInTheFallbackTextAsInTheBlocks()
    {
        var project = new NotificationRef(Guid.NewGuid(), "shop");
        var environment = new NotificationRef(Guid.NewGuid(), "<!channel> prod");
        var notification = new AddonNotification(AddonEvents.Test, "Test", "A test.", DateTimeOffset.UtcNow, project, environment, null, [], null, new Uri("https://portal.example.com/"));

        var text = AddonSender.SlackMessage(notification)["text"]!.GetValue<string>();

        Assert.DoesNotContain("<!channel>", text, StringComparison.Ordinal);
        Assert.Contains("&lt;!channel&gt; prod", text, StringComparison.Ordinal);
    }

    private static AddonHttp Client(AddonSettings settings) => new(new OneClient(settings), Options.Create(settings));

    private sealed class OneClient(AddonSettings settings) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(AddonHttp.Handler(settings), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>A loopback TCP listener that reads the request's head and answers each connection with the given bytes, then closes it.</summary>
    private sealed class RawReceiver : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stopping = new();
        private Task _accepting = Task.CompletedTask;

        public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/hook");

        public static Task<RawReceiver> StartAsync(Func<NetworkStream, Task> answer)
        {
            var receiver = new RawReceiver();
            receiver._listener.Start();
            receiver._accepting = receiver.AcceptAsync(answer);
            return Task.FromResult(receiver);
        }

        public async ValueTask DisposeAsync()
        {
            await _stopping.CancelAsync();
            _listener.Stop();
            await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
            _stopping.Dispose();
        }

        private async Task AcceptAsync(Func<NetworkStream, Task> answer)
        {
            while (!_stopping.IsCancellationRequested)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
                await using var stream = client.GetStream();
                var buffer = new byte[8192];
                var read = 0;
                while (read < buffer.Length && !Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var n = await stream.ReadAsync(buffer.AsMemory(read), _stopping.Token);
                    if (n == 0)
                    {
                        break;
                    }

                    read += n;
                }

                try
                {
                    await answer(stream);
                }
                catch (IOException)
                {
                    // The client hung up on a trickle: what the test wants.
                }
            }
        }
    }
}
