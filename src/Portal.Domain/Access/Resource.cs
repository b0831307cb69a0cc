namespace Platform.Domain.Access;

public enum ResourceKind
{
    Organization,
    Invitation,
    ApiToken,
    Project,
    Cluster,
    Environment,
    Application,
    Database,
    Variable,
    CreditCard,
    Invoice,
}

/// <summary>An id and what it is the id of, so <see cref="TenantAccess"/> can find its organization.</summary>
public readonly record struct Resource(ResourceKind Kind, Guid Id)
{
    public static Resource Organization(Guid id) => new(ResourceKind.Organization, id);

    public static Resource Invitation(Guid id) => new(ResourceKind.Invitation, id);

    public static Resource ApiToken(Guid id) => new(ResourceKind.ApiToken, id);

    public static Resource Project(Guid id) => new(ResourceKind.Project, id);

    public static Resource Cluster(Guid id) => new(ResourceKind.Cluster, id);

    public static Resource Environment(Guid id) => new(ResourceKind.Environment, id);

    public static Resource Application(Guid id) => new(ResourceKind.Application, id);

    public static Resource Database(Guid id) => new(ResourceKind.Database, id);

    public static Resource Variable(Guid id) => new(ResourceKind.Variable, id);

    public static Resource CreditCard(Guid id) => new(ResourceKind.CreditCard, id);

    public static Resource Invoice(Guid id) => new(ResourceKind.Invoice, id);

    public string Noun => Kind switch
    {
        ResourceKind.Organization => "The organization",
        ResourceKind.Invitation => "The invitation",
        ResourceKind.ApiToken => "The API token",
        ResourceKind.Project => "The project",
        ResourceKind.Cluster => "The cluster",
        ResourceKind.Environment => "The environment",
        ResourceKind.Application => "The application",
        ResourceKind.Database => "The database",
        ResourceKind.Variable => "The variable",
        ResourceKind.CreditCard => "The credit card",
        ResourceKind.Invoice => "The invoice",
        _ => "The resource",
    };
}
