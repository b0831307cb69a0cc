using System.Linq.Expressions;
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
    public static async Task<VariableHolder> LoadAsync(PlatformDbContext db, VariableScope scope, Guid id, CancellationToken cancellationToken = default) =>
        (await Holders[scope](db, id, cancellationToken) ?? throw Gone(scope, id)).ToHolder(scope, id);

    /// <summary>
    /// The holder with what its effective variables are made of, in one query (a listing is the access check and this):
    /// the user variables it sees, its own and its ancestors', and whether its environment has databases (whose
    /// built-in variables need another look).
    /// </summary>
    public static async Task<(VariableHolder Holder, List<StoredVariable> Visible, bool HasDatabases)> LoadWithVariablesAsync(
        PlatformDbContext db, VariableScope scope, Guid id, CancellationToken cancellationToken = default)
    {
        var found = await HoldersWithVariables[scope](db, id, cancellationToken) ?? throw Gone(scope, id);
        return (found.Row.ToHolder(scope, id), found.Visible, found.HasDatabases);
    }

    private static InvalidOperationException Gone(VariableScope scope, Guid id) => new($"The {scope} {id} was deleted after its access check.");

    /// <summary>Each scope's holder row: its name, its ancestors' ids and names, and an application's port (for PORT).</summary>
    /// <remarks>Every member is set in every projection, nulls included: the queries composed over <see cref="Row"/> read each of them.</remarks>
    private static readonly Dictionary<VariableScope, Expression<Func<PlatformDbContext, Guid, IQueryable<Row>>>> Rows = new()
    {
        [VariableScope.Organization] = (db, id) => db.Organizations.Where(o => o.Id == id)
            .Select(o => new Row
            {
                Name = o.Name, OrganizationId = o.Id, ProjectId = null, EnvironmentId = null, ApplicationId = null, Archived = false,
                ProjectName = null, EnvironmentName = null, ApplicationPort = null,
            }),
        [VariableScope.Project] = (db, id) => db.Projects.Where(p => p.Id == id)
            .Select(p => new Row
            {
                Name = p.Name, OrganizationId = p.OrganizationId, ProjectId = p.Id, EnvironmentId = null, ApplicationId = null, Archived = false,
                ProjectName = p.Name, EnvironmentName = null, ApplicationPort = null,
            }),
        [VariableScope.Environment] = (db, id) => db.Environments.Where(e => e.Id == id)
            .Select(e => new Row
            {
                Name = e.Name, OrganizationId = e.Project!.OrganizationId, ProjectId = e.ProjectId, EnvironmentId = e.Id, ApplicationId = null, Archived = e.Archived,
                ProjectName = e.Project.Name, EnvironmentName = e.Name, ApplicationPort = null,
            }),
        [VariableScope.Application] = (db, id) => db.Applications.Where(a => a.Id == id)
            .Select(a => new Row
            {
                Name = a.Name, OrganizationId = a.Environment!.Project!.OrganizationId, ProjectId = a.Environment.ProjectId, EnvironmentId = a.EnvironmentId,
                ApplicationId = a.Id, Archived = a.Environment.Archived, ProjectName = a.Environment.Project.Name, EnvironmentName = a.Environment.Name,
                ApplicationPort = a.Port,
            }),
    };

    // Compiled once per scope: a listing answers often, and building, funcletizing and looking up its expression tree
    // on every call cost more CPU than shaping its rows.
    private static readonly Dictionary<VariableScope, Func<PlatformDbContext, Guid, CancellationToken, Task<Row?>>> Holders =
        Rows.ToDictionary(r => r.Key, r => EF.CompileAsyncQuery(Over(r.Value, (db, rows) => rows.AsNoTracking().FirstOrDefault())));

    private static readonly Dictionary<VariableScope, Func<PlatformDbContext, Guid, CancellationToken, Task<Found?>>> HoldersWithVariables =
        Rows.ToDictionary(r => r.Key, r => EF.CompileAsyncQuery(Over(r.Value, (db, rows) => rows
            .Select(r => new Found
            {
                Row = r,
                // The one rule of which user variables a holder sees.
                Visible = db.Variables.Where(v =>
                        v.OrganizationId == r.OrganizationId
                        && (v.ProjectId == null || v.ProjectId == r.ProjectId)
                        && (v.EnvironmentId == null || v.EnvironmentId == r.EnvironmentId)
                        && (v.ApplicationId == null || v.ApplicationId == r.ApplicationId))
                    // The columns a listing or a deployment reads, not the entities: nothing else is shaped per variable.
                    .Select(v => new StoredVariable
                    {
                        Id = v.Id, Key = v.Key, Scope = v.Scope, IsSecret = v.IsSecret, Value = v.Value, ProtectedValue = v.ProtectedValue, Description = v.Description,
                    })
                    .ToList(),
                HasDatabases = r.EnvironmentId != null && db.Databases.Any(d => d.EnvironmentId == r.EnvironmentId),
            })
            .AsNoTracking()
            .FirstOrDefault())));

    /// <summary>(db, id, cancellation) => <paramref name="query"/> over the scope's <paramref name="rows"/>.</summary>
    private static Expression<Func<PlatformDbContext, Guid, CancellationToken, T>> Over<T>(
        Expression<Func<PlatformDbContext, Guid, IQueryable<Row>>> rows, Expression<Func<PlatformDbContext, IQueryable<Row>, T>> query)
    {
        var db = query.Parameters[0];
        var scoped = ExpressionSubstitution.Replace(rows.Body, rows.Parameters[0], db);
        return Expression.Lambda<Func<PlatformDbContext, Guid, CancellationToken, T>>(
            ExpressionSubstitution.Replace(query.Body, query.Parameters[1], scoped), db, rows.Parameters[1], Expression.Parameter(typeof(CancellationToken), "cancellationToken"));
    }

    private sealed class Found
    {
        public required Row Row { get; init; }

        public required List<StoredVariable> Visible { get; init; }

        public bool HasDatabases { get; init; }
    }

    private sealed class Row
    {
        public required string Name { get; init; }

        public Guid OrganizationId { get; init; }

        public Guid? ProjectId { get; init; }

        public Guid? EnvironmentId { get; init; }

        public Guid? ApplicationId { get; init; }

        public bool Archived { get; init; }

        public string? ProjectName { get; init; }

        public string? EnvironmentName { get; init; }

        public int? ApplicationPort { get; init; }

        public VariableHolder ToHolder(VariableScope scope, Guid id) =>
            new(scope, id, Name, OrganizationId, ProjectId, EnvironmentId, ApplicationId, Archived, ProjectName, EnvironmentName, ApplicationPort);
    }

    /// <summary>The holder of a stored variable.</summary>
    public static Task<VariableHolder> OfAsync(PlatformDbContext db, Variable variable) =>
        LoadAsync(db, variable.Scope, variable.ApplicationId ?? variable.EnvironmentId ?? variable.ProjectId ?? variable.OrganizationId);

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

/// <summary>A user variable as a holder's listing reads it: a secret's value still protected.</summary>
public sealed class StoredVariable
{
    public Guid Id { get; init; }

    public required string Key { get; init; }

    public VariableScope Scope { get; init; }

    public bool IsSecret { get; init; }

    public string? Value { get; init; }

    public string? ProtectedValue { get; init; }

    public string? Description { get; init; }
}
