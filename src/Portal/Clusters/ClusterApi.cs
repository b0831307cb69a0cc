using Platform.Domain.Clusters;
using Platform.Portal.Infrastructure;

namespace Platform.Portal.Clusters;

public static class ClusterApi
{
    /// <param name="Id">The cluster's id: the draft's cloud_provider object is answered per cluster.</param>
    public sealed record CloudProviderResponse(Guid Id, string Name, string ShortName, Uri LogoUrl);

    public sealed record ClusterResponse(
        Guid Id, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, Guid OrganizationId, string Name, ClusterKind Kind, bool IsDefault, CloudProviderResponse CloudProvider);

    public static RouteGroupBuilder MapClusterApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("").WithTags("Cluster");
        group.MapGet("/organization/{id:guid}/cluster", ListAsync).Describe("listOrganizationClusters", "The organization's clusters; the first is its default");
        group.MapGet("/cluster/{id:guid}", GetAsync).Describe("getCluster", "One cluster");
        return group;
    }

    public static CloudProviderResponse ToResponse(CloudProvider provider, Guid clusterId, Uri portal) =>
        new(clusterId, provider.Name, provider.ShortName, new Uri(portal, provider.LogoPath));

    private static async Task<Results<Ok<ListResponse<ClusterResponse>>, ProblemHttpResult>> ListAsync(
        Guid id, HttpRequest http, ApiCaller caller, ClusterService clusters, PortalLinks links) =>
        (await clusters.ListAsync(caller, id)).ToOk(list => new ListResponse<ClusterResponse>(list.Select(c => ToResponse(c, links.For(http))).ToList()));

    private static async Task<Results<Ok<ClusterResponse>, ProblemHttpResult>> GetAsync(Guid id, HttpRequest http, ApiCaller caller, ClusterService clusters, PortalLinks links) =>
        (await clusters.GetAsync(caller, id)).ToOk(c => ToResponse(c, links.For(http)));

    private static ClusterResponse ToResponse(ClusterView c, Uri portal) =>
        new(c.Id, c.CreatedAt, c.UpdatedAt, c.OrganizationId, c.Name, c.Kind, c.IsDefault, ToResponse(c.CloudProvider, c.Id, portal));
}
