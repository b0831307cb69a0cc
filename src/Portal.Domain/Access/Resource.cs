namespace Platform.Domain.Access;

public enum ResourceKind
{
    Organization,
    Invitation,
    ApiToken,
}

/// <summary>An id and what it is the id of, so <see cref="TenantAccess"/> can find its organization.</summary>
public readonly record struct Resource(ResourceKind Kind, Guid Id)
{
    public static Resource Organization(Guid id) => new(ResourceKind.Organization, id);

    public static Resource Invitation(Guid id) => new(ResourceKind.Invitation, id);

    public static Resource ApiToken(Guid id) => new(ResourceKind.ApiToken, id);

    public string Noun => Kind switch
    {
        ResourceKind.Organization => "The organization",
        ResourceKind.Invitation => "The invitation",
        ResourceKind.ApiToken => "The API token",
        _ => "The resource",
    };
}
