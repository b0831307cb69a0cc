using Microsoft.EntityFrameworkCore;
using Platform.Domain.Common;
using Platform.Domain.Services;

namespace Platform.Domain.Events;

/// <summary>What a service or environment is, for the events that name it.</summary>
public sealed record EventSubject(Guid OrganizationId, Guid? EnvironmentId, ServiceType Type, Guid Id, string Name);

/// <summary>
/// Writes events in the same transaction as the change they describe. Writers take one advisory lock before
/// inserting, so sequence order is commit order and a reader paging with lastId never skips an event that
/// commits late.
/// </summary>
public static class EventLog
{
    private const long LockKey = 0x6576656e74; // "event"

    public static PlatformEvent New(
        EventSubject subject, string state, SimpleState simpleState, string message, Guid? ownerId, DateTimeOffset at, Runtime.Commit? commit = null, Guid? deploymentId = null) => new()
    {
        OrganizationId = subject.OrganizationId,
        EnvironmentId = subject.EnvironmentId,
        ServiceType = subject.Type,
        ServiceId = subject.Id,
        ServiceName = subject.Name,
        State = state,
        SimpleState = simpleState,
        Message = message,
        OwnerId = ownerId,
        CommitShortId = commit?.ShortId,
        CommitLongId = commit?.LongId,
        CommitMessage = commit?.Message is { Length: > 0 } text ? Texts.Cut(text, 1000) : null,
        DeploymentId = deploymentId,
        CreatedAt = at,
    };

    /// <summary>Saves the context's pending changes together with these events, atomically.</summary>
    public static async Task SaveWithEventsAsync(this PlatformDbContext db, IEnumerable<PlatformEvent> events, CancellationToken cancellationToken = default)
    {
        var owned = db.Database.CurrentTransaction is null;
        var transaction = owned ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({LockKey})", cancellationToken);
            db.Events.AddRange(events);
            await db.SaveChangesAsync(cancellationToken);
            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken);
            }
        }
        finally
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }
        }
    }
}
