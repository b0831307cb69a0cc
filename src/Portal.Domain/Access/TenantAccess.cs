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
        var (organizationId, role) = await FindOrganizationAndRoleAsync(db, caller, resource, cancellationToken);
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
    /// one round trip): an organization token's role comes with the token, a user's from their membership.
    /// </summary>
    private static async Task<(Guid? OrganizationId, OrganizationRole? Role)> FindOrganizationAndRoleAsync(
        PlatformDbContext db, Caller caller, Resource resource, CancellationToken cancellationToken)
    {
        var organizations = OrganizationOf(db, resource);
        if (caller.IsOrganizationToken)
        {
            var organizationId = await organizations.FirstOrDefaultAsync(cancellationToken);
            return (organizationId, organizationId is not null && organizationId == caller.TokenOrganizationId ? caller.TokenRole : null);
        }

        var userId = caller.UserId;
        var found = await organizations
            .Select(o => new
            {
                OrganizationId = o,
                Role = db.OrganizationMembers.Where(m => m.OrganizationId == o && m.UserId == userId).Select(m => (OrganizationRole?)m.Role).FirstOrDefault(),
            })
            .FirstOrDefaultAsync(cancellationToken);
        return (found?.OrganizationId, found?.Role);
    }

    private static IQueryable<Guid?> OrganizationOf(PlatformDbContext db, Resource resource) => resource.Kind switch
    {
        ResourceKind.Organization => db.Organizations.Where(o => o.Id == resource.Id).Select(o => (Guid?)o.Id),
        ResourceKind.Invitation => db.Invitations.Where(i => i.Id == resource.Id).Select(i => (Guid?)i.OrganizationId),
        ResourceKind.ApiToken => db.ApiTokens.Where(t => t.Id == resource.Id).Select(t => t.OrganizationId),
        ResourceKind.Project => db.Projects.Where(p => p.Id == resource.Id).Select(p => (Guid?)p.OrganizationId),
        ResourceKind.Cluster => db.Clusters.Where(c => c.Id == resource.Id).Select(c => (Guid?)c.OrganizationId),
        ResourceKind.Environment => db.Environments.Where(e => e.Id == resource.Id)
            .Select(e => (Guid?)e.Project!.OrganizationId),
        ResourceKind.Application => db.Applications.Where(a => a.Id == resource.Id)
            .Select(a => (Guid?)a.Environment!.Project!.OrganizationId),
        ResourceKind.Database => db.Databases.Where(d => d.Id == resource.Id)
            .Select(d => (Guid?)d.Environment!.Project!.OrganizationId),
        ResourceKind.Variable => db.Variables.Where(v => v.Id == resource.Id).Select(v => (Guid?)v.OrganizationId),
        ResourceKind.CreditCard => db.CreditCards.Where(c => c.Id == resource.Id).Select(c => (Guid?)c.OrganizationId),
        ResourceKind.Invoice => db.Invoices.Where(i => i.Id == resource.Id).Select(i => (Guid?)i.OrganizationId),
        _ => db.Organizations.Where(_ => false).Select(o => (Guid?)o.Id),
    };
}
