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
    private readonly ConcurrentDictionary<string, Guid> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, string> _slugs = new();

    public static string Slug(string name, Guid applicationId) => $"{name}-{applicationId.ToString("N")[^8..]}";

    public void Route(string name, Guid applicationId)
    {
        var slug = Slug(name, applicationId);
        if (_slugs.TryGetValue(applicationId, out var old) && old != slug)
        {
            _routes.TryRemove(old, out _);
        }

        _routes[slug] = applicationId;
        _slugs[applicationId] = slug;
    }

    public void Unroute(Guid applicationId)
    {
        if (_slugs.TryRemove(applicationId, out var slug))
        {
            _routes.TryRemove(slug, out _);
        }
    }

    public Guid? Find(string slug) => _routes.TryGetValue(slug, out var id) ? id : null;

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
