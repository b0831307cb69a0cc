using Platform.Domain.Members;

namespace Platform.Domain.Access;

/// <summary>
/// The role matrix of PRODUCT.md section 4, the one place it is written. The API answers 403 from it and the
/// portal hides what it refuses.
/// </summary>
public static class RolePolicy
{
    public static bool Allows(OrganizationRole role, Permission permission) => permission switch
    {
        Permission.Read => true,
        Permission.ManageServices => role is OrganizationRole.Owner or OrganizationRole.Admin or OrganizationRole.Developer,
        Permission.ManageProjects or Permission.ManageMembers or Permission.ManageBilling =>
            role is OrganizationRole.Owner or OrganizationRole.Admin,
        Permission.OwnOrganization => role is OrganizationRole.Owner,
        _ => false,
    };

    public static string Describe(Permission permission) => permission switch
    {
        Permission.Read => "read this organization",
        Permission.ManageServices => "change services, environments, variables or deployments",
        Permission.ManageProjects => "manage projects, clusters, addons or organization tokens",
        Permission.ManageMembers => "manage members, invitations or the organization's settings",
        Permission.ManageBilling => "manage billing",
        Permission.OwnOrganization => "transfer ownership or delete the organization",
        _ => "do this",
    };
}
