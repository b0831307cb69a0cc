using Platform.Domain.Members;

namespace Platform.Domain.Access;

/// <summary>The organization a resource belongs to, as seen by a caller who may see it, with the caller's role there.</summary>
public sealed record OrganizationAccess(Guid OrganizationId, OrganizationRole Role, Caller Caller)
{
    public bool Can(Permission permission) => RolePolicy.Allows(Role, permission);
}
