using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;
using Platform.Domain.Addons;
using Platform.Domain.Common;
using Platform.Portal.Infrastructure.Mail;

namespace Platform.Portal.Addons;

/// <summary>Sends one claimed attempt the way its addon speaks: a signed webhook, a Slack message, or an email.</summary>
public sealed class AddonSender(AddonHttp http, IMailTransport mail, IOptions<SmtpSettings> smtp, IOptions<AddonSettings> options, TimeProvider clock)
{
    public const string SignatureHeader = "X-Platform-Signature";
    public const string EventHeader = "X-Platform-Event";
    public const string DeliveryHeader = "X-Platform-Delivery";

    public async Task<AttemptOutcome> SendAsync(ClaimedAttempt claimed, CancellationToken cancellationToken)
    {
        if (claimed.Addon is not { } addon)
        {
            return new AttemptOutcome(false, null, "the addon was uninstalled", 0, Final: true);
        }

        var notification = AddonNotification.FromJson(claimed.Delivery.Payload);
        string? Setting(string name) => claimed.Secrets.TryGetValue(name, out var secret) ? secret : addon.Settings.GetValueOrDefault(name);
        return addon.Kind switch
        {
            AddonKind.Webhook => await WebhookAsync(claimed.Delivery, notification, Setting(AddonSettingNames.WebhookUrl), Setting(AddonSettingNames.SigningSecret), cancellationToken),
            AddonKind.Slack => await SlackAsync(notification, Setting(AddonSettingNames.SlackWebhookUrl), cancellationToken),
            _ => await EmailAsync(notification, Setting(AddonSettingNames.Recipients), cancellationToken),
        };
    }

    /// <summary>The Stripe-like scheme: <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "t.body"&gt;</c>, keyed by the signing secret.</summary>
    public static string Signature(long unixSeconds, string body, string signingSecret)
    {
        var t = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingSecret), Encoding.UTF8.GetBytes($"{t}.{body}"));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    private async Task<AttemptOutcome> WebhookAsync(AddonDelivery delivery, AddonNotification notification, string? url, string? signingSecret, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var target) || string.IsNullOrEmpty(signingSecret))
        {
            return new AttemptOutcome(false, null, "the addon's url or signing secret is missing", 0, Final: true);
        }

        var body = notification.ToJson();
        var headers = new Dictionary<string, string>
        {
            [SignatureHeader] = Signature(clock.GetUtcNow().ToUnixTimeSeconds(), body, signingSecret),
            [EventHeader] = notification.Event,
            [DeliveryHeader] = delivery.Id.ToString(),
        };
        return await http.PostJsonAsync(target, body, headers, [signingSecret], cancellationToken);
    }

    private async Task<AttemptOutcome> SlackAsync(AddonNotification notification, string? url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var target))
        {
            return new AttemptOutcome(false, null, "the addon's webhook url is missing", 0, Final: true);
        }

        return await http.PostJsonAsync(target, SlackMessage(notification).ToJsonString(), new Dictionary<string, string>(), [], cancellationToken);
    }

    /// <summary>An incoming-webhook message: <c>text</c> for notifications and old clients, <c>blocks</c> for the message itself.</summary>
    public static JsonObject SlackMessage(AddonNotification n)
    {
        var environment = n.Environment?.Name ?? "—";
        var commit = n.Commit is { } c ? $"`{Escape(c.ShortId)}` {Escape(Texts.Cut(c.Message ?? "", 200))}".TrimEnd() : "—";
        return new JsonObject
        {
            // Escaped like the blocks: the fallback is mrkdwn too, and a name such as "<!channel>" would ping everyone.
            ["text"] = Escape($"{n.Title}: {n.Project.Name} / {environment} ({n.ServiceNames}), {n.State}"),
            ["blocks"] = new JsonArray
            {
                new JsonObject { ["type"] = "header", ["text"] = PlainText(Texts.Cut($"{n.Title}: {environment}", 150)) },
                new JsonObject { ["type"] = "section", ["text"] = Markdown(Escape(Texts.Cut(n.Message, 2900))) },
                new JsonObject
                {
                    ["type"] = "section",
                    ["fields"] = new JsonArray
                    {
                        Markdown($"*Service(s)*\n{Escape(Texts.Cut(n.ServiceNames, 1900))}"),
                        Markdown($"*Environment*\n{Escape(environment)} ({Escape(n.Project.Name)})"),
                        Markdown($"*Commit*\n{commit}"),
                        Markdown($"*State*\n{Escape(n.State)}"),
                    },
                },
                new JsonObject
                {
                    ["type"] = "actions",
                    ["elements"] = new JsonArray
                    {
                        new JsonObject { ["type"] = "button", ["text"] = PlainText(n.Deployment is null ? "Open in the portal" : "Open the deployment"), ["url"] = n.Url.ToString() },
                    },
                },
            },
        };
    }

    public static string MailSubject(AddonNotification n) => $"{n.Title}: {n.Environment?.Name ?? n.Project.Name} ({n.Project.Name})";

    public static string MailText(AddonNotification n)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{n.Title}: {n.Message}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Project:     {n.Project.Name}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Environment: {n.Environment?.Name ?? "—"}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Service(s):  {n.ServiceNames}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Commit:      {(n.Commit is { } c ? $"{c.ShortId} {c.Message}".TrimEnd() : "—")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"State:       {n.State}");
        text.AppendLine(CultureInfo.InvariantCulture, $"When:        {n.OccurredAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Open it in the portal: {n.Url}");
        return text.ToString();
    }

    /// <summary>Sent here rather than through the mail queue, so that this attempt's outcome is the one recorded.</summary>
    private async Task<AttemptOutcome> EmailAsync(AddonNotification notification, string? recipients, CancellationToken cancellationToken)
    {
        var addresses = (recipients ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (addresses.Length == 0)
        {
            return new AttemptOutcome(false, null, "the addon has no recipients", 0, Final: true);
        }

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.Value.From));
        foreach (var address in addresses)
        {
            message.To.Add(MailboxAddress.Parse(address));
        }

        message.Subject = MailSubject(notification);
        message.Body = new TextPart("plain") { Text = MailText(notification) };
        var seconds = Math.Max(1, options.Value.TimeoutSeconds);
        var timer = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        try
        {
            await mail.SendAsync(message, timeout.Token);
            return new AttemptOutcome(true, null, null, Elapsed(timer));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new AttemptOutcome(false, null, $"timed out after {seconds} s", Elapsed(timer));
        }
        catch (SmtpCommandException exception)
        {
            return new AttemptOutcome(false, null, $"the SMTP server refused the mail ({(int)exception.StatusCode})", Elapsed(timer));
        }
        catch (Exception exception) when (exception is SmtpProtocolException or MailKit.ServiceNotConnectedException or SocketException or IOException or TimeoutException)
        {
            return new AttemptOutcome(false, null, "could not reach the SMTP server", Elapsed(timer));
        }
    }

    private static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text };

    private static JsonObject Markdown(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };

    /// <summary>Slack's mrkdwn escapes: names and messages come from users and commits.</summary>
    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static int Elapsed(Stopwatch timer) => (int)Math.Min(int.MaxValue, timer.ElapsedMilliseconds);
}
