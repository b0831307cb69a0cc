using Microsoft.EntityFrameworkCore;
using Platform.Domain.Access;
using Platform.Domain.Common;

namespace Platform.Domain.Clusters;

/// <summary>The draft's cloud-provider object; <see cref="LogoPath"/> is relative to the portal.</summary>
public sealed record CloudProvider(string Name, string ShortName, string LogoPath)
{
    public static CloudProvider For(ClusterKind kind) => kind switch
    {
        ClusterKind.Kubernetes => new("Kubernetes", "K8S", "images/providers/kubernetes.svg"),
        _ => new("Local runtime", "LOCAL", "images/providers/local.svg"),
    };
}

public sealed record ClusterView(Guid Id, Guid OrganizationId, string Name, ClusterKind Kind, bool IsDefault, CloudProvider CloudProvider, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed class ClusterService(IDbContextFactory<PlatformDbContext> dbFactory, TenantAccess access)
{
    /// <summary>Every organization gets one, on the local runtime, when it is created.</summary>
    public static Cluster NewDefault(Guid organizationId, DateTimeOffset now) => new()
    {
        OrganizationId = organizationId,
        Name = "Local",
        Kind = ClusterKind.Local,
        IsDefault = true,
        CreatedAt = now,
        UpdatedAt = now,
    };

    public Task<Result<IReadOnlyList<ClusterView>>> ListAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default) =>
        access.WithAsync<IReadOnlyList<ClusterView>>(caller, Resource.Organization(organizationId), Permission.Read, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var clusters = await db.Clusters.Where(c => c.OrganizationId == organizationId).OrderByDescending(c => c.IsDefault).ThenBy(c => c.Name)
                .ToListAsync(cancellationToken);
            return clusters.Select(ToView).ToList();
        }, cancellationToken);

    public Task<Result<ClusterView>> GetAsync(Caller caller, Guid clusterId, CancellationToken cancellationToken = default) =>
        access.WithAsync<ClusterView>(caller, Resource.Cluster(clusterId), Permission.Read, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            return ToView(await db.Clusters.FirstAsync(c => c.Id == clusterId, cancellationToken));
        }, cancellationToken);

    private static ClusterView ToView(Cluster c) =>
        new(c.Id, c.OrganizationId, c.Name, c.Kind, c.IsDefault, CloudProvider.For(c.Kind), c.CreatedAt, c.UpdatedAt);
}
