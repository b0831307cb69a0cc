using System.Text.Json;
using Hangfire;
using Microsoft.Extensions.Options;
using Platform.Domain.Common;

namespace Platform.Portal.Infrastructure.Mail;

/// <summary>Sends one queued message; Hangfire retries it with back-off when the server is unreachable.</summary>
public sealed class SendMailJob(IMailTransport transport, IOptions<SmtpSettings> settings, ISecretProtector protector)
{
    /// <summary>A message queued encrypted (<see cref="HangfireMailQueue"/>).</summary>
    [AutomaticRetry(Attempts = 10)]
    public async Task SendProtectedAsync(string protectedMail, CancellationToken cancellationToken) =>
        await ExecuteAsync(JsonSerializer.Deserialize<OutgoingMail>(protector.Unprotect(protectedMail))!, cancellationToken);

    /// <summary>A message queued in clear, by a portal older than <see cref="SendProtectedAsync"/>.</summary>
    [AutomaticRetry(Attempts = 10)]
    public async Task ExecuteAsync(OutgoingMail mail, CancellationToken cancellationToken) =>
        await transport.SendAsync(MimeMessages.From(mail, settings.Value.From), cancellationToken);
}

/// <summary>
/// The domain's mail queue, kept in PostgreSQL by Hangfire so nothing is lost on a restart. Messages are queued
/// encrypted: they may carry secrets (an invitation's link), which the database alone must not give away.
/// </summary>
public sealed class HangfireMailQueue(IBackgroundJobClient jobs, ISecretProtector protector) : IMailQueue
{
    public Task EnqueueAsync(OutgoingMail mail)
    {
        var protectedMail = protector.Protect(JsonSerializer.Serialize(mail));
        jobs.Enqueue<SendMailJob>(job => job.SendProtectedAsync(protectedMail, CancellationToken.None));
        return Task.CompletedTask;
    }
}
