using Hangfire;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;
using Platform.Domain.Billing.Invoices;
using Platform.Portal.Infrastructure.Mail;

namespace Platform.Portal.Billing;

/// <summary>On the 1st of each month: closes the previous month into invoices, then charges them.</summary>
public sealed class MonthCloseJob(MonthClose close, TimeProvider clock)
{
    public const string Id = "invoice-month-close";

    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await close.CloseAsync(MonthClose.MonthOf(clock.GetUtcNow()).AddMonths(-1), cancellationToken);
        await close.CollectDueAsync(cancellationToken);
    }
}

/// <summary>Every hour: the payment attempts that are due (retries of PAYMENT_DUE invoices, and any missed first attempt).</summary>
public sealed class PaymentRetryJob(MonthClose close)
{
    public const string Id = "invoice-payment-retry";

    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public Task RunAsync(CancellationToken cancellationToken) => close.CollectDueAsync(cancellationToken);
}

/// <summary>
/// Sends one <c>downloadInvoices</c> request's ZIP (see <see cref="InvoiceExports"/> for the guarantee). A refusal
/// from the server puts the request back as not sent; a broken connection leaves it Sending, so the retry sends the
/// same message with the same Message-Id.
/// </summary>
public sealed class InvoiceExportJob(InvoiceExports exports, IMailTransport transport, IOptions<SmtpSettings> smtp)
{
    [AutomaticRetry(Attempts = 10)]
    public async Task ExecuteAsync(Guid exportId, CancellationToken cancellationToken)
    {
        var parcel = await exports.BeginSendAsync(exportId, cancellationToken);
        if (parcel is null)
        {
            return;
        }

        var message = new MimeMessage { MessageId = parcel.MessageId, Subject = $"Invoices of {parcel.Organization}" };
        message.From.Add(MailboxAddress.Parse(smtp.Value.From));
        message.To.Add(MailboxAddress.Parse(parcel.Email));
        var body = new BodyBuilder { TextBody = $"Attached: the {parcel.Invoices} invoices of {parcel.Organization}, one PDF each, in {parcel.ZipName}." };
        body.Attachments.Add(parcel.ZipName, parcel.Zip, new ContentType("application", "zip"));
        message.Body = body.ToMessageBody();
        try
        {
            await transport.SendAsync(message, cancellationToken);
        }
        catch (SmtpCommandException refused) when (refused.ErrorCode is SmtpErrorCode.MessageNotAccepted or SmtpErrorCode.SenderNotAccepted or SmtpErrorCode.RecipientNotAccepted)
        {
            await exports.MarkRefusedAsync(exportId, CancellationToken.None);
            throw;
        }

        await exports.MarkSentAsync(exportId, CancellationToken.None);
    }
}

/// <summary>The domain's export queue, on Hangfire.</summary>
public sealed class HangfireInvoiceExportQueue(IBackgroundJobClient jobs) : IInvoiceExportQueue
{
    public void Enqueue(Guid exportId) => jobs.Enqueue<InvoiceExportJob>(job => job.ExecuteAsync(exportId, CancellationToken.None));
}
