using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Platform.Portal.Infrastructure;

namespace Platform.Portal.Runtime;

/// <summary>
/// The router's table and addresses. Each running application is served on a host name of its own,
/// {name}-{id suffix}.{apps domain}, stable across deployments and never the portal's origin. The apps domain is
/// Portal:AppsDomain (PORTAL_APPS_DOMAIN), by default apps.localhost, which browsers resolve to this machine; the
/// scheme and port are those of the portal's base address: Portal:PublicUrl (PORTAL_PUBLIC_URL) when set, otherwise
/// the address the portal listens on. Portal:AppsUrl (PORTAL_APPS_URL), such as https://{label}.apps.example.com,
/// sets all three, for a reverse proxy with wildcard DNS in front of the portal.
/// </summary>
public sealed partial class RouterAddress
{
    public const string DefaultDomain = "apps.localhost";

    /// <summary>The portal's former path-based addresses, {portal}/apps/{label}/, which now only redirect.</summary>
    public const string FormerPrefix = "/apps";

    private const string Placeholder = "{label}";
    private const int MaxLabelLength = 63;
    private const int SuffixLength = 8;

    private readonly ConcurrentDictionary<string, Guid> _routes = new(StringComparer.OrdinalIgnoreCase);
    private readonly IConfiguration _configuration;
    private readonly IServer _server;
    private readonly Uri? _apps;

    public RouterAddress(IConfiguration configuration, IServer server)
    {
        _configuration = configuration;
        _server = server;
        var template = Setting("Portal:AppsUrl", "PORTAL_APPS_URL");
        var domain = Setting("Portal:AppsDomain", "PORTAL_APPS_DOMAIN");
        if (template is not null)
        {
            _apps = Uri.TryCreate(template.Replace(Placeholder, "label", StringComparison.Ordinal), UriKind.Absolute, out var apps)
                && template.Contains($"://{Placeholder}.", StringComparison.Ordinal) && apps.Host.StartsWith("label.", StringComparison.Ordinal)
                && (apps.Scheme == Uri.UriSchemeHttp || apps.Scheme == Uri.UriSchemeHttps) && apps.AbsolutePath == "/" && apps.Query.Length == 0
                    ? apps
                    : throw new InvalidSettingException($"PORTAL_APPS_URL must look like https://{Placeholder}.apps.example.com, not {template}.");
            domain = apps.Host["label.".Length..];
        }

        Domain = (domain ?? DefaultDomain).Trim('.').ToLowerInvariant();
        if (Uri.CheckHostName(Domain) != UriHostNameType.Dns || !Domain.Contains('.', StringComparison.Ordinal))
        {
            throw new InvalidSettingException($"PORTAL_APPS_DOMAIN must be a domain name such as apps.example.com, not {Domain}.");
        }

        if (Setting("Portal:PublicUrl", "PORTAL_PUBLIC_URL") is { } publicUrl && Uri.TryCreate(publicUrl, UriKind.Absolute, out var portal) && IsAppsHost(new HostString(portal.Host), out _))
        {
            throw new InvalidSettingException($"The portal's own host {portal.Host} is under the apps domain {Domain}: choose another PORTAL_APPS_DOMAIN.");
        }
    }

    /// <summary>The domain under which every application has its host.</summary>
    public string Domain { get; }

    /// <summary>
    /// The application's DNS label: its name in lower case with every run of other characters than letters and digits
    /// turned into one '-', shortened to fit 63 characters, then the last 8 hex digits of its id, which find it.
    /// </summary>
    public static string Label(string name, Guid applicationId)
    {
        var part = NotLetterOrDigit().Replace(name.ToLowerInvariant(), "-");
        part = part[..Math.Min(part.Length, MaxLabelLength - SuffixLength - 1)].Trim('-');
        return part.Length == 0 ? Suffix(applicationId) : $"{part}-{Suffix(applicationId)}";
    }

    public void Route(Guid applicationId) => _routes[Suffix(applicationId)] = applicationId;

    public void Unroute(Guid applicationId) => _routes.TryRemove(Suffix(applicationId), out _);

    private static string Suffix(Guid applicationId) => applicationId.ToString("N")[^SuffixLength..];

    /// <summary>
    /// The application a label names, by its id suffix: the name part is for people, so the address shown keeps
    /// working after a rename and for a release started under an older name.
    /// </summary>
    public Guid? Find(string label)
    {
        if (label.Contains('.', StringComparison.Ordinal))
        {
            return null;
        }

        var dash = label.LastIndexOf('-');
        var suffix = dash >= 0 ? label[(dash + 1)..] : label;
        return _routes.TryGetValue(suffix, out var id) ? id : null;
    }

    /// <summary>Whether a request's host is the apps domain or under it; the label is what comes before it ("" for none).</summary>
    public bool IsAppsHost(HostString host, out string label)
    {
        var name = host.Host.TrimEnd('.');
        label = name.EndsWith($".{Domain}", StringComparison.OrdinalIgnoreCase) ? name[..^(Domain.Length + 1)] : "";
        return label.Length > 0 || name.Equals(Domain, StringComparison.OrdinalIgnoreCase);
    }

    public Uri UrlOf(string name, Guid applicationId)
    {
        var origin = _apps ?? PortalBase();
        return new UriBuilder(origin.Scheme, $"{Label(name, applicationId)}.{Domain}", origin.Port).Uri;
    }

    private Uri PortalBase()
    {
        var address = Setting("Portal:PublicUrl", "PORTAL_PUBLIC_URL")
            ?? _server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:5080";
        address = address.Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal).Replace("://[::]", "://localhost", StringComparison.Ordinal)
            .Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal);
        return new Uri(address.TrimEnd('/') + "/");
    }

    private string? Setting(string key, string variable) =>
        (_configuration[key] ?? _configuration[variable]) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotLetterOrDigit();
}
