using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using MimeKit;
using SmtpServer;
using SmtpServer.Storage;

namespace Platform.Tests.Support;

/// <summary>
/// The test's SMTP server in the process, on a free loopback port: keeps what it takes; refuses the next N messages'
/// DATA with a 451 when told to. A fixture starts it, passes its settings to the portal and disposes of it.
/// </summary>
public sealed class TestSmtp : MessageStore, IAsyncDisposable
{
    public const string HostKey = "Smtp:Host";
    public const string PortKey = "Smtp:Port";
    public const string SecurityKey = "Smtp:Security";
    public const string Host = "127.0.0.1";
    public const string Security = "None";

    private readonly ConcurrentQueue<MimeMessage> _messages = new();
    private SmtpServer.SmtpServer? _server;
    private int _refuse;
    private string? _refuseTo;

    public int Port { get; } = Platform.Portal.Infrastructure.FreePorts.Next();

    public string PortSetting => Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public void Start()
    {
        var options = new SmtpServerOptionsBuilder().ServerName("localhost")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port))).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(this);
        _server = new SmtpServer.SmtpServer(options, services);
        _ = _server.StartAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            _server.Shutdown();
            await _server.ShutdownTask;
        }
    }

    public IReadOnlyList<MimeMessage> To(string address) =>
        [.. _messages.Where(m => m.To.Mailboxes.Any(b => b.Address.Equals(address, StringComparison.OrdinalIgnoreCase)))];

    /// <summary>
    /// Refuses the next messages to <paramref name="to"/> (any recipient when null). Name the recipient where the
    /// portal may send other mail meanwhile (a sign-up's confirmation link), or that mail takes the refusal.
    /// </summary>
    public void RefuseNext(int messages, string? to = null)
    {
        Volatile.Write(ref _refuseTo, to);
        Interlocked.Exchange(ref _refuse, messages);
    }

    public override async Task<SmtpServer.Protocol.SmtpResponse> SaveAsync(
        ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        var refuseTo = Volatile.Read(ref _refuseTo);
        if (refuseTo is null || transaction.To.Any(m => string.Equals($"{m.User}@{m.Host}", refuseTo, StringComparison.OrdinalIgnoreCase)))
        {
            if (Interlocked.Decrement(ref _refuse) >= 0)
            {
                return new SmtpServer.Protocol.SmtpResponse((SmtpServer.Protocol.SmtpReplyCode)451, "4.3.0 Try again later");
            }

            Interlocked.Exchange(ref _refuse, 0);
        }
        using var stream = new MemoryStream();
        foreach (var segment in buffer)
        {
            stream.Write(segment.Span);
        }

        stream.Position = 0;
        _messages.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
        return SmtpServer.Protocol.SmtpResponse.Ok;
    }
}
