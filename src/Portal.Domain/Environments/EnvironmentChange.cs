using Platform.Domain.Access;
using Platform.Domain.Common;
using Platform.Domain.Events;
using Platform.Domain.Services;

namespace Platform.Domain.Environments;

/// <summary>
/// A change in progress to an environment that is not archived, or to one of its services: the context to make
/// it in, holding the environment's row lock so changes to one environment (and archiving it) happen one at a
/// time, and <see cref="SaveAsync"/> to commit it with its event and its author as the environment's last updater.
/// </summary>
public sealed class EnvironmentChange(OrganizationAccess access, ProjectEnvironment environment, PlatformDbContext db, DateTimeOffset now) : IAsyncDisposable
{
    public OrganizationAccess Access => access;

    public ProjectEnvironment Environment => environment;

    public PlatformDbContext Db => db;

    public DateTimeOffset Now => now;

    public async Task SaveAsync(EventSubject subject, string state, string message)
    {
        environment.TouchedBy(access.Caller.UserId, now);
        await db.SaveWithEventsAsync([EventLog.New(subject, state, SimpleState.Ok, message, access.Caller.UserId, now)]);
        await db.Database.CommitTransactionAsync();
    }

    /// <summary>Ends the change; without <see cref="SaveAsync"/> nothing is written and the lock is released.</summary>
    public ValueTask DisposeAsync() => db.DisposeAsync();
}
