using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Platform.Domain.Common;
using Platform.Domain.Members;

namespace Platform.Domain.Access;

/// <summary>
/// Tenant isolation, in one place: resolves the organization an id belongs to and the caller's role there.
/// Anything the caller may not see answers NotFound, exactly like an id that does not exist; only a visible
/// resource can answer Forbidden. Every feature service asks this before touching an organization's data.
/// </summary>
public sealed class TenantAccess(IDbContextFactory<PlatformDbContext> dbFactory)
{
    public async Task<Result<OrganizationAccess>> CheckAsync(Caller caller, Resource resource, Permission permission, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (organizationId, role) = await FindOrganizationAndRoleAsync(db, caller, resource);
        if (role is null)
        {
            return DomainError.NotFound(resource.Noun);
        }

        var access = new OrganizationAccess(organizationId!.Value, role.Value, caller);
        return access.Can(permission)
            ? access
            : DomainError.Forbidden($"Your role ({role.Value.ToString().ToUpperInvariant()}) does not allow you to {RolePolicy.Describe(permission)}.");
    }

    /// <summary>
    /// Checks, then does <paramref name="action"/> with the granted access; a refusal is answered as it is. Feature
    /// services state a method's gate with it once: <c>=> access.WithAsync&lt;T&gt;(caller, resource, permission, async granted => …)</c>.
    /// </summary>
    public async Task<Result<T>> WithAsync<T>(
        Caller caller, Resource resource, Permission permission, Func<OrganizationAccess, Task<Result<T>>> action, CancellationToken cancellationToken = default)
    {
        var allowed = await CheckAsync(caller, resource, permission, cancellationToken);
        return allowed.IsSuccess ? await action(allowed.Value) : allowed.Error!;
    }

    /// <summary>The caller's role in an organization, or null when the caller is not in it.</summary>
    public static async Task<OrganizationRole?> FindRoleAsync(PlatformDbContext db, Caller caller, Guid organizationId, CancellationToken cancellationToken = default)
    {
        if (caller.IsOrganizationToken)
        {
            return caller.TokenOrganizationId == organizationId ? caller.TokenRole : null;
        }

        return await db.OrganizationMembers
            .Where(m => m.OrganizationId == organizationId && m.UserId == caller.UserId)
            .Select(m => (OrganizationRole?)m.Role)
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>
    /// The organization the resource belongs to and the caller's role there, in one query (a request's access check is
    /// one round trip): an organization token's role comes with the token, a user's from their membership. The query
    /// of each kind of resource is compiled once (<see cref="Checks"/>): every request makes one.
    /// </summary>
    private static async Task<(Guid? OrganizationId, OrganizationRole? Role)> FindOrganizationAndRoleAsync(PlatformDbContext db, Caller caller, Resource resource)
    {
        if (!Checks.TryGetValue(resource.Kind, out var check))
        {
            return (null, null);
        }

        // An organization token is no member: its lookup finds the organization, and no membership for an empty user.
        var found = await check(db, resource.Id, caller.IsOrganizationToken ? Guid.Empty : caller.UserId);
        if (caller.IsOrganizationToken)
        {
            return (found?.OrganizationId, found?.OrganizationId is { } organizationId && organizationId == caller.TokenOrganizationId ? caller.TokenRole : null);
        }

        return (found?.OrganizationId, found?.Role);
    }

    /// <summary>The organization each kind of resource belongs to: the one rule of ownership, from which the checks are compiled.</summary>
    private static readonly Dictionary<ResourceKind, Expression<Func<PlatformDbContext, Guid, IQueryable<Guid?>>>> Owners = new()
    {
        [ResourceKind.Organization] = (db, id) => db.Organizations.Where(o => o.Id == id).Select(o => (Guid?)o.Id),
        [ResourceKind.Invitation] = (db, id) => db.Invitations.Where(i => i.Id == id).Select(i => (Guid?)i.OrganizationId),
        [ResourceKind.ApiToken] = (db, id) => db.ApiTokens.Where(t => t.Id == id).Select(t => t.OrganizationId),
        [ResourceKind.Project] = (db, id) => db.Projects.Where(p => p.Id == id).Select(p => (Guid?)p.OrganizationId),
        [ResourceKind.Cluster] = (db, id) => db.Clusters.Where(c => c.Id == id).Select(c => (Guid?)c.OrganizationId),
        [ResourceKind.Environment] = (db, id) => db.Environments.Where(e => e.Id == id).Select(e => (Guid?)e.Project!.OrganizationId),
        [ResourceKind.Application] = (db, id) => db.Applications.Where(a => a.Id == id).Select(a => (Guid?)a.Environment!.Project!.OrganizationId),
        [ResourceKind.Database] = (db, id) => db.Databases.Where(d => d.Id == id).Select(d => (Guid?)d.Environment!.Project!.OrganizationId),
        [ResourceKind.Variable] = (db, id) => db.Variables.Where(v => v.Id == id).Select(v => (Guid?)v.OrganizationId),
        [ResourceKind.CreditCard] = (db, id) => db.CreditCards.Where(c => c.Id == id).Select(c => (Guid?)c.OrganizationId),
        [ResourceKind.Invoice] = (db, id) => db.Invoices.Where(i => i.Id == id).Select(i => (Guid?)i.OrganizationId),
    };

    /// <summary>Each kind's owner with the user's role there: (context, resource id, user id) → the owner and role, or null.</summary>
    private static readonly Dictionary<ResourceKind, Func<PlatformDbContext, Guid, Guid, Task<OwnerAndRole?>>> Checks =
        Owners.ToDictionary(o => o.Key, o => EF.CompileAsyncQuery(WithRole(o.Value)));

    /// <summary>(db, id, user) => the owners of <paramref name="owner"/> with the user's membership role, first or none.</summary>
    private static Expression<Func<PlatformDbContext, Guid, Guid, OwnerAndRole?>> WithRole(Expression<Func<PlatformDbContext, Guid, IQueryable<Guid?>>> owner)
    {
        Expression<Func<PlatformDbContext, IQueryable<Guid?>, Guid, OwnerAndRole?>> template = (db, owners, user) => owners
            .Select(o => new OwnerAndRole
            {
                OrganizationId = o,
                Role = db.OrganizationMembers.Where(m => m.OrganizationId == o && m.UserId == user).Select(m => (OrganizationRole?)m.Role).FirstOrDefault(),
            })
            .FirstOrDefault();
        var (db, user) = (template.Parameters[0], template.Parameters[2]);
        var id = owner.Parameters[1];
        var owners = ExpressionSubstitution.Replace(owner.Body, owner.Parameters[0], db);
        var body = ExpressionSubstitution.Replace(template.Body, template.Parameters[1], owners);
        return Expression.Lambda<Func<PlatformDbContext, Guid, Guid, OwnerAndRole?>>(body, db, id, user);
    }

    private sealed class OwnerAndRole
    {
        public Guid? OrganizationId { get; init; }

        public OrganizationRole? Role { get; init; }
    }
}
