using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Platform.Portal.Runtime;

/// <summary>
/// The router's table and addresses: each running application is served at {portal}/apps/{name}-{id suffix}/, a
/// stable address across deployments. The base is Portal:PublicUrl (PORTAL_PUBLIC_URL) when set, otherwise the
/// address the portal listens on.
/// </summary>
public sealed class RouterAddress(IConfiguration configuration, IServer server)
{
    public const string Prefix = "/apps";
    private readonly ConcurrentDictionary<string, Guid> _routes = new(StringComparer.OrdinalIgnoreCase);

    public static string Slug(string name, Guid applicationId) => $"{name}-{Suffix(applicationId)}";

    public void Route(Guid applicationId) => _routes[Suffix(applicationId)] = applicationId;

    public void Unroute(Guid applicationId) => _routes.TryRemove(Suffix(applicationId), out _);

    private static string Suffix(Guid applicationId) => applicationId.ToString("N")[^8..];

    /// <summary>
    /// The application a slug names, by its id suffix: the name part is for people, so the address shown keeps
    /// working after a rename and for a release started under an older name.
    /// </summary>
    public Guid? Find(string slug)
    {
        var dash = slug.LastIndexOf('-');
        var suffix = dash >= 0 ? slug[(dash + 1)..] : slug;
        return _routes.TryGetValue(suffix, out var id) ? id : null;
    }

    public Uri UrlOf(string name, Guid applicationId) => new(Base(), $"{Prefix.TrimStart('/')}/{Slug(name, applicationId)}/");

    private Uri Base()
    {
        var configured = configuration["Portal:PublicUrl"] ?? configuration["PORTAL_PUBLIC_URL"];
        var address = string.IsNullOrWhiteSpace(configured)
            ? server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:5080"
            : configured;
        address = address.Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal).Replace("://[::]", "://localhost", StringComparison.Ordinal)
            .Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal);
        return new Uri(address.TrimEnd('/') + "/");
    }
}
