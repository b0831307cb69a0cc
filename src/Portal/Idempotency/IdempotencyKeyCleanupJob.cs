using Platform.Domain.Idempotency;

namespace Platform.Portal.Idempotency;

/// <summary>The recurring job that deletes idempotency keys past their 24 hours (by the app's clock).</summary>
public sealed partial class IdempotencyKeyCleanupJob(IdempotencyService keys, ILogger<IdempotencyKeyCleanupJob> logger)
{
    public const string Id = "idempotency-key-cleanup";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var deleted = await keys.DeleteExpiredAsync(cancellationToken);
        LogDeleted(deleted);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Idempotency key cleanup removed {Deleted} expired keys")]
    private partial void LogDeleted(int deleted);
}
