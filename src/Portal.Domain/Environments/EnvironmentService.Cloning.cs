using Microsoft.EntityFrameworkCore;
using Platform.Domain.Access;
using Platform.Domain.Applications;
using Platform.Domain.Common;
using Platform.Domain.Databases;
using Platform.Domain.Events;
using Platform.Domain.Services;

namespace Platform.Domain.Environments;

public sealed partial class EnvironmentService
{
    /// <summary>
    /// Copies an environment's applications and databases (settings only, never data) into a new environment,
    /// in the same project unless another of the organization's projects is named. Deployments, logs and
    /// events stay with the original.
    /// </summary>
    public async Task<Result<EnvironmentView>> CloneAsync(Caller caller, Guid id, CloneInput input)
    {
        var source = await access.CheckAsync(caller, Resource.Environment(id), Permission.ManageServices);
        if (!source.IsSuccess)
        {
            return source.Error!;
        }

        await using var db = await dbFactory.CreateDbContextAsync();
        var original = await db.Environments.AsNoTracking().FirstAsync(e => e.Id == id);
        var projectId = input.ProjectId ?? original.ProjectId;
        if (projectId != original.ProjectId)
        {
            var target = await access.CheckAsync(caller, Resource.Project(projectId), Permission.ManageServices);
            if (!target.IsSuccess || target.Value.OrganizationId != source.Value.OrganizationId)
            {
                return target.IsSuccess ? DomainError.NotFound("The project") : target.Error!;
            }
        }

        var organizationId = source.Value.OrganizationId;
        var checkedInput = await ValidateAsync(db, organizationId, projectId, input.Name, input.Mode ?? original.Mode, input.ClusterId ?? original.ClusterId, exceptId: null, requireMode: false);
        if (!checkedInput.IsSuccess)
        {
            return checkedInput.Error!;
        }

        var now = clock.GetUtcNow();
        var clone = new ProjectEnvironment
        {
            ProjectId = projectId,
            ClusterId = checkedInput.Value,
            Name = input.Name!.Trim(),
            Mode = input.Mode ?? original.Mode,
            OwnerId = caller.UserId,
            LastUpdaterId = caller.UserId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Environments.Add(clone);
        var events = new List<PlatformEvent>
        {
            Event(organizationId, original, "CLONED", $"Environment {original.Name} cloned to {clone.Name}.", caller, now),
            Event(organizationId, clone, "CLONED", $"Environment {clone.Name} cloned from {original.Name}.", caller, now),
        };

        // Variables and secrets of the environment and of its applications go with them; the project's and the
        // organization's stay where they are (a clone in the same project still sees them).
        var variables = await db.Variables.AsNoTracking().Where(v => v.EnvironmentId == id).ToListAsync();
        db.Variables.AddRange(variables.Where(v => v.ApplicationId is null).Select(v => v.CopyTo(projectId, clone.Id, null, caller.UserId, now)));
        foreach (var application in await db.Applications.AsNoTracking().Where(a => a.EnvironmentId == id).ToListAsync())
        {
            var copy = new Application
            {
                EnvironmentId = clone.Id,
                Settings = application.Settings,
                ProtectedGitSecret = application.ProtectedGitSecret,
                StateMessage = "Not deployed yet.",
                OwnerId = caller.UserId,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Applications.Add(copy);
            db.Variables.AddRange(variables.Where(v => v.ApplicationId == application.Id).Select(v => v.CopyTo(projectId, clone.Id, copy.Id, caller.UserId, now)));
            events.Add(EventLog.New(Subject(organizationId, copy, clone.Id), "CREATED", SimpleState.Ok, $"Application {copy.Settings.Name} created by cloning {original.Name}.", caller.UserId, now));
        }

        foreach (var database in await db.Databases.AsNoTracking().Where(d => d.EnvironmentId == id).ToListAsync())
        {
            var copy = new ManagedDatabase
            {
                EnvironmentId = clone.Id,
                Name = database.Name,
                Type = database.Type,
                Version = database.Version,
                Mode = database.Mode,
                Storage = database.Storage,
                ProtectedPassword = ManagedDatabase.NewProtectedPassword(protector),
                OwnerId = caller.UserId,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Databases.Add(copy);
            events.Add(EventLog.New(Subject(organizationId, copy, clone.Id), "CREATED", SimpleState.Ok, $"Database {copy.Name} created by cloning {original.Name}.", caller.UserId, now));
        }

        await db.SaveWithEventsAsync(events);
        return await GetAsync(caller, clone.Id);
    }
}
