using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Platform.Domain.Common;

namespace Platform.Portal.Infrastructure.Mail;

/// <summary>Delivers one message now; the mail job retries when this throws.</summary>
public interface IMailTransport
{
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

public sealed class SmtpMailTransport(IOptions<SmtpSettings> settings) : IMailTransport
{
    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var smtp = settings.Value;
        using var client = new SmtpClient { Timeout = 30_000 };
        var security = smtp.Security switch
        {
            SmtpSecurity.Always => SecureSocketOptions.StartTls,
            SmtpSecurity.None => SecureSocketOptions.None,
            _ => SecureSocketOptions.StartTlsWhenAvailable,
        };
        await client.ConnectAsync(smtp.Host!, smtp.Port, security, cancellationToken);
        if (!string.IsNullOrEmpty(smtp.Username))
        {
            await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", cancellationToken);
        }

        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }
}

/// <summary>The embedded default without SMTP settings: each message becomes an .eml file in the data folder.</summary>
public sealed class FileMailTransport(PortalSettings settings, ILogger<FileMailTransport> logger) : IMailTransport
{
    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        // Mail holds sign-in and invitation links: readable by the portal's user only, never by applications' users.
        var folder = PrivateFolders.Create(Path.Combine(settings.DataDirectory, "mail")).FullName;
        var file = Path.Combine(folder, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid():N}.eml");
        await message.WriteToAsync(file, cancellationToken);
        logger.LogInformation("No SMTP server is configured: wrote the mail \"{Subject}\" to {File}", message.Subject, file);
    }
}

public static class MimeMessages
{
    public static MimeMessage From(OutgoingMail mail, string sender)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(sender));
        message.To.Add(MailboxAddress.Parse(mail.To));
        message.Subject = mail.Subject;
        message.Body = new TextPart("plain") { Text = mail.TextBody };
        return message;
    }
}
