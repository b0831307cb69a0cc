using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Platform.Portal.Infrastructure.Mail;
using Platform.Domain.Billing;
using Platform.Domain.Billing.Invoices;
using Platform.Tests.Support;

namespace Platform.Tests.Billing;

/// <summary>
/// A portal for billing tests: a clock the test moves, the ledger's figures set by the test, its log kept, and an
/// SMTP server in the process that can be told to refuse the next message.
/// </summary>
public sealed class InvoicePortal : IAsyncLifetime
{
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
                [TestSmtp.HostKey] = TestSmtp.Host,
                [TestSmtp.PortKey] = Smtp.PortSetting,
                [TestSmtp.SecurityKey] = TestSmtp.Security,
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
        Smtp.Start();
        await Portal.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)Portal).DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

public sealed class RecordingExportQueue : IInvoiceExportQueue
{
    private readonly ConcurrentQueue<Guid> _queued = new();

    public IReadOnlyList<Guid> Queued => [.. _queued];

    public void Enqueue(Guid exportId) => _queued.Enqueue(exportId);
}

/// <summary>
/// Breaks the next sends to one address only: the portal's own mail (a new user's confirmation link, sent by a Hangfire
/// worker a moment later) goes through the same transport, and took a break meant for the export when it came first.
/// </summary>
public sealed class TransportBreaker
{
    private readonly ConcurrentDictionary<string, int> _breaks = new(StringComparer.OrdinalIgnoreCase);

    public void BreakNext(int sends, string recipient) => _breaks[recipient] = sends;

    public bool TakeBreak(MimeMessage message)
    {
        foreach (var recipient in message.To.Mailboxes.Select(m => m.Address))
        {
            while (_breaks.TryGetValue(recipient, out var left) && left > 0)
            {
                if (_breaks.TryUpdate(recipient, left - 1, left))
                {
                    return true;
                }
            }
        }

        return false;
    }
}

/// <summary>The portal's SMTP transport, which throws instead of sending while the breaker says so.</summary>
public sealed class BreakableTransport(IMailTransport inner, TransportBreaker breaker) : IMailTransport
{
    public Task SendAsync(MimeMessage message, CancellationToken cancellationToken) =>
        breaker.TakeBreak(message) ? throw new IOException("The job died before the message went out.") : inner.SendAsync(message, cancellationToken);
}
