using Platform.Domain.Access;
using Platform.Domain.Common;
using Platform.Domain.Events;
using Platform.Domain.Services;

namespace Platform.Domain.Environments;

/// <summary>
/// A change in progress to an environment that is not archived, or to one of its services: the context to make
/// it in, and <see cref="SaveAsync"/> to record it with its event and its author as the environment's last updater.
/// </summary>
public sealed class EnvironmentChange(OrganizationAccess access, ProjectEnvironment environment, PlatformDbContext db, DateTimeOffset now) : IAsyncDisposable
{
    public OrganizationAccess Access => access;

    public ProjectEnvironment Environment => environment;

    public PlatformDbContext Db => db;

    public DateTimeOffset Now => now;

    public Task SaveAsync(EventSubject subject, string state, string message)
    {
        EnvironmentService.Touch(environment, access.Caller, now);
        return db.SaveWithEventsAsync([EventLog.New(subject, state, SimpleState.Ok, message, access.Caller.UserId, now)]);
    }

    public ValueTask DisposeAsync() => db.DisposeAsync();
}
