namespace Platform.Domain.Access;

/// <summary>What a caller wants to do in an organization; <see cref="RolePolicy"/> says which roles may.</summary>
public enum Permission
{
    /// <summary>Read anything in the organization (never a secret's value).</summary>
    Read,

    /// <summary>Create, change, deploy, stop, roll back and abort services and environments; variables and secrets.</summary>
    ManageServices,

    /// <summary>Create or delete projects and clusters; install addons; organization API tokens.</summary>
    ManageProjects,

    /// <summary>Members, invitations and the organization's settings.</summary>
    ManageMembers,

    /// <summary>Billing info, cards, budget, credit codes, invoices.</summary>
    ManageBilling,

    /// <summary>Transfer ownership; delete the organization.</summary>
    OwnOrganization,
}
