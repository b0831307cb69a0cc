using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Platform.Portal.Infrastructure.Mail;
using Platform.Domain.Billing;
using Platform.Domain.Billing.Invoices;
using Platform.Tests.Support;
using SmtpServer;
using SmtpServer.Storage;

namespace Platform.Tests.Billing;

/// <summary>
/// A portal for billing tests: a clock the test moves, the ledger's figures set by the test, its log kept, and an
/// SMTP server in the process that can be told to refuse the next message.
/// </summary>
public sealed class InvoicePortal : IAsyncLifetime
{
    private SmtpServer.SmtpServer? _smtp;

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public FixedLedger Ledger { get; } = new();

    public CapturedLog Log { get; } = new();

    public TestSmtp Smtp { get; } = new();

    /// <summary>Export requests as the API queued them: the tests run the job themselves, to fail it on purpose.</summary>
    public RecordingExportQueue Exports { get; } = new();

    /// <summary>Makes the portal's mail transport fail before it reaches the server, as a job killed at that moment would.</summary>
    public TransportBreaker Transport { get; } = new();

    public PortalFactory Portal { get; }

    public InvoicePortal() =>
        Portal = PortalFactory.With(
            new Dictionary<string, string?>
            {
                ["Smtp:Host"] = "127.0.0.1",
                ["Smtp:Port"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Smtp:Security"] = "None",
                ["Billing:PaymentRetryHours"] = "24,72,168",
            },
            services =>
            {
                services.AddSingleton<TimeProvider>(Clock);
                services.AddSingleton<IBillingLedger>(Ledger);
                services.AddSingleton<ILoggerProvider>(Log);
                services.AddSingleton<IInvoiceExportQueue>(Exports);
                services.AddSingleton(Transport);
                services.AddTransient<IMailTransport>(sp => new BreakableTransport(ActivatorUtilities.CreateInstance<SmtpMailTransport>(sp), Transport));
            });

    public async Task InitializeAsync()
    {
        var options = new SmtpServerOptionsBuilder().ServerName("localhost")
            .Endpoint(e => e.Endpoint(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, Smtp.Port))).Build();
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
}

/// <summary>The test's SMTP server: keeps what it takes; refuses the next N messages' DATA with a 451 when told to.</summary>
public sealed class TestSmtp : MessageStore
{
    private readonly ConcurrentQueue<MimeMessage> _messages = new();
    private int _refuse;

    public int Port { get; } = Platform.Portal.Infrastructure.FreePorts.Next();

    public IReadOnlyList<MimeMessage> To(string address) =>
        [.. _messages.Where(m => m.To.Mailboxes.Any(b => b.Address.Equals(address, StringComparison.OrdinalIgnoreCase)))];

    public void RefuseNext(int messages) => Interlocked.Exchange(ref _refuse, messages);

    public override async Task<SmtpServer.Protocol.SmtpResponse> SaveAsync(
        ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        if (Interlocked.Decrement(ref _refuse) >= 0)
        {
            return new SmtpServer.Protocol.SmtpResponse((SmtpServer.Protocol.SmtpReplyCode)451, "4.3.0 Try again later");
        }

        Interlocked.Exchange(ref _refuse, 0);
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

public sealed class RecordingExportQueue : IInvoiceExportQueue
{
    private readonly ConcurrentQueue<Guid> _queued = new();

    public IReadOnlyList<Guid> Queued => [.. _queued];

    public void Enqueue(Guid exportId) => _queued.Enqueue(exportId);
}

public sealed class TransportBreaker
{
    private int _breaks;

    public void BreakNext(int sends) => Interlocked.Exchange(ref _breaks, sends);

    public bool TakeBreak()
    {
        if (Interlocked.Decrement(ref _breaks) >= 0)
        {
            return true;
        }

        Interlocked.Exchange(ref _breaks, 0);
        return false;
    }
}

/// <summary>The portal's SMTP transport, which throws instead of sending while the breaker says so.</summary>
public sealed class BreakableTransport(IMailTransport inner, TransportBreaker breaker) : IMailTransport
{
    public Task SendAsync(MimeMessage message, CancellationToken cancellationToken) =>
        breaker.TakeBreak() ? throw new IOException("The job died before the message went out.") : inner.SendAsync(message, cancellationToken);
}
