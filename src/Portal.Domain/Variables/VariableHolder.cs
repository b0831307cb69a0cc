using Microsoft.EntityFrameworkCore;
using Platform.Domain.Access;
using Platform.Domain.Common;
using Platform.Domain.Events;
using Platform.Domain.Services;

namespace Platform.Domain.Variables;

/// <summary>
/// What variables are set on: an organization, project, environment or application, with its ancestors — their ids,
/// and the names and port the built-in variables answer, read with the holder in the same query.
/// </summary>
public sealed record VariableHolder(
    VariableScope Scope,
    Guid Id,
    string Name,
    Guid OrganizationId,
    Guid? ProjectId,
    Guid? EnvironmentId,
    Guid? ApplicationId,
    bool Archived,
    string? ProjectName = null,
    string? EnvironmentName = null,
    int? ApplicationPort = null)
{
    public static Resource ResourceOf(VariableScope scope, Guid id) => scope switch
    {
        VariableScope.Organization => Resource.Organization(id),
        VariableScope.Project => Resource.Project(id),
        VariableScope.Environment => Resource.Environment(id),
        _ => Resource.Application(id),
    };

    /// <summary>The holder of a resource the caller may see (checked before), in one query.</summary>
    public static async Task<VariableHolder> LoadAsync(PlatformDbContext db, VariableScope scope, Guid id, CancellationToken cancellationToken = default)
    {
        switch (scope)
        {
            case VariableScope.Organization:
                return await db.Organizations.Where(o => o.Id == id)
                    .Select(o => new VariableHolder(scope, id, o.Name, o.Id, null, null, null, false, null, null, null)).FirstAsync(cancellationToken);
            case VariableScope.Project:
                return await db.Projects.Where(p => p.Id == id)
                    .Select(p => new VariableHolder(scope, id, p.Name, p.OrganizationId, p.Id, null, null, false, p.Name, null, null)).FirstAsync(cancellationToken);
            case VariableScope.Environment:
                return await db.Environments.Where(e => e.Id == id)
                    .Select(e => new VariableHolder(scope, id, e.Name, e.Project!.OrganizationId, e.ProjectId, e.Id, null, e.Archived, e.Project.Name, e.Name, null))
                    .FirstAsync(cancellationToken);
            default:
                var a = await db.Applications.Where(a => a.Id == id)
                    .Select(a => new
                    {
                        a.Name,
                        a.Environment!.Project!.OrganizationId,
                        a.Environment.ProjectId,
                        a.EnvironmentId,
                        a.Environment.Archived,
                        ProjectName = a.Environment.Project.Name,
                        EnvironmentName = a.Environment.Name,
                        a.Settings,
                    })
                    .FirstAsync(cancellationToken);
                return new VariableHolder(scope, id, a.Name, a.OrganizationId, a.ProjectId, a.EnvironmentId, id, a.Archived, a.ProjectName, a.EnvironmentName, a.Settings.Port);
        }
    }

    /// <summary>The holder of a stored variable.</summary>
    public static Task<VariableHolder> OfAsync(PlatformDbContext db, Variable variable) =>
        LoadAsync(db, variable.Scope, variable.ApplicationId ?? variable.EnvironmentId ?? variable.ProjectId ?? variable.OrganizationId);

    /// <summary>The user variables this holder sees: its own and its ancestors'.</summary>
    public IQueryable<Variable> Visible(PlatformDbContext db) => db.Variables.Where(v =>
        v.OrganizationId == OrganizationId
        && (v.ProjectId == null || v.ProjectId == ProjectId)
        && (v.EnvironmentId == null || v.EnvironmentId == EnvironmentId)
        && (v.ApplicationId == null || v.ApplicationId == ApplicationId));

    /// <summary>The variables set on this holder itself.</summary>
    public IQueryable<Variable> Own(PlatformDbContext db) => db.Variables.Where(v =>
        v.OrganizationId == OrganizationId && v.ProjectId == ProjectId && v.EnvironmentId == EnvironmentId && v.ApplicationId == ApplicationId);

    /// <summary>The applications that use this holder's variables.</summary>
    public IQueryable<Applications.Application> Applications(PlatformDbContext db) => Scope switch
    {
        VariableScope.Organization => db.Applications.Where(a => a.Environment!.Project!.OrganizationId == OrganizationId),
        VariableScope.Project => db.Applications.Where(a => a.Environment!.ProjectId == ProjectId),
        VariableScope.Environment => db.Applications.Where(a => a.EnvironmentId == EnvironmentId),
        _ => db.Applications.Where(a => a.Id == ApplicationId),
    };

    public EventSubject Subject => Scope switch
    {
        VariableScope.Organization => new EventSubject(OrganizationId, null, ServiceType.Organization, Id, Name),
        VariableScope.Project => new EventSubject(OrganizationId, null, ServiceType.Project, Id, Name),
        VariableScope.Environment => new EventSubject(OrganizationId, EnvironmentId, ServiceType.Environment, Id, Name),
        _ => new EventSubject(OrganizationId, EnvironmentId, ServiceType.Application, Id, Name),
    };
}
