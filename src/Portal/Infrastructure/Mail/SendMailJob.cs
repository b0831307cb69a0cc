using Hangfire;
using Microsoft.Extensions.Options;
using Platform.Domain.Common;

namespace Platform.Portal.Infrastructure.Mail;

/// <summary>Sends one queued message; Hangfire retries it with back-off when the server is unreachable.</summary>
public sealed class SendMailJob(IMailTransport transport, IOptions<SmtpSettings> settings)
{
    [AutomaticRetry(Attempts = 10)]
    public async Task ExecuteAsync(OutgoingMail mail, CancellationToken cancellationToken) =>
        await transport.SendAsync(MimeMessages.From(mail, settings.Value.From), cancellationToken);
}

/// <summary>The domain's mail queue, kept in PostgreSQL by Hangfire so nothing is lost on a restart.</summary>
public sealed class HangfireMailQueue(IBackgroundJobClient jobs) : IMailQueue
{
    public Task EnqueueAsync(OutgoingMail mail)
    {
        jobs.Enqueue<SendMailJob>(job => job.ExecuteAsync(mail, CancellationToken.None));
        return Task.CompletedTask;
    }
}
