using Hangfire;
using Platform.Domain.Addons;

namespace Platform.Portal.Addons;

/// <summary>
/// Sends one attempt of one delivery (a Hangfire job; its retries are ours, with our back-off, so Hangfire's are off):
/// claims it, sends it, records how it went, and schedules the next attempt when there is one.
/// </summary>
public sealed partial class AddonDeliveryJob(AddonDeliveryStore store, AddonSender sender, IBackgroundJobClient jobs, ILogger<AddonDeliveryJob> logger)
{
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    public async Task SendAsync(Guid deliveryId, int attempt, CancellationToken cancellationToken)
    {
        if (await store.ClaimAsync(deliveryId, attempt, cancellationToken) is not { } claimed)
        {
            // Another job of this attempt claimed it, or it is past this attempt: nothing is sent twice.
            LogNotClaimed(deliveryId, attempt);
            return;
        }

        AttemptOutcome outcome;
        try
        {
            outcome = await sender.SendAsync(claimed, cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // A fault of ours (bad stored settings, a bug): recorded as this attempt's failure, not left Sending for the
            // sweep. Its type only: a message could quote a setting, and the URL is a secret.
            LogSendFault(deliveryId, attempt, exception.GetType().FullName);
            outcome = new AttemptOutcome(false, null, $"the attempt failed in the portal ({exception.GetType().Name})", 0);
        }

        var next = await store.RecordAsync(deliveryId, attempt, outcome, CancellationToken.None);
        if (outcome.Delivered)
        {
            LogDelivered(deliveryId, claimed.Delivery.Kind, claimed.Delivery.Event, attempt, outcome.DurationMs);
        }
        else
        {
            LogFailed(deliveryId, claimed.Delivery.Kind, claimed.Delivery.Event, attempt, outcome.Error, next?.At);
        }

        if (next is not null)
        {
            Enqueue(jobs, next);
        }
    }

    /// <summary>Enqueues the attempt now, or schedules it for its time.</summary>
    public static void Enqueue(IBackgroundJobClient jobs, DeliveryAttempt attempt)
    {
        var (id, number) = (attempt.DeliveryId, attempt.Attempt);
        if (attempt.At <= DateTimeOffset.UtcNow)
        {
            jobs.Enqueue<AddonDeliveryJob>(job => job.SendAsync(id, number, CancellationToken.None));
        }
        else
        {
            // Hangfire keeps a schedule in whole seconds, and would start it up to a second early: rounded up, never before its time.
            var at = DateTimeOffset.FromUnixTimeSeconds((attempt.At.ToUnixTimeMilliseconds() + 999) / 1000);
            jobs.Schedule<AddonDeliveryJob>(job => job.SendAsync(id, number, CancellationToken.None), at);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Addon delivery {DeliveryId}: attempt {Attempt} failed in the portal ({ExceptionType})")]
    private partial void LogSendFault(Guid deliveryId, int attempt, string? exceptionType);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Addon delivery {DeliveryId}: attempt {Attempt} is not this job's to send")]
    private partial void LogNotClaimed(Guid deliveryId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Addon delivery {DeliveryId} ({Kind}, {Event}) delivered at attempt {Attempt} in {DurationMs} ms")]
    private partial void LogDelivered(Guid deliveryId, AddonKind kind, string @event, int attempt, int durationMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Addon delivery {DeliveryId} ({Kind}, {Event}): attempt {Attempt} failed ({Error}); next attempt at {NextAttemptAt}")]
    private partial void LogFailed(Guid deliveryId, AddonKind kind, string @event, int attempt, string? error, DateTimeOffset? nextAttemptAt);
}
