namespace Platform.Domain.Members;

/// <summary>A member's role in one organization, from the most powerful.</summary>
public enum OrganizationRole
{
    Owner,
    Admin,
    Developer,
    Viewer,
}
