using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Platform.Portal.Infrastructure;

/// <summary>
/// The portal's public base address for links in mails and answers: Portal:PublicUrl (PORTAL_PUBLIC_URL) when
/// set, which it should be behind a proxy; otherwise the address the request came in on.
/// </summary>
public sealed class PortalLinks(IConfiguration configuration)
{
    private readonly Uri? _configured = Parse(configuration["Portal:PublicUrl"] ?? configuration["PORTAL_PUBLIC_URL"]);

    public Uri For(HttpRequest request) => _configured ?? new Uri($"{request.Scheme}://{request.Host}{request.PathBase}/");

    public Uri For(string navigationBaseUri) => _configured ?? new Uri(navigationBaseUri);

    /// <summary>
    /// For links that go out by mail (password reset, email confirmation, invitations): <see cref="ForBackground"/>,
    /// never the request's address. A request's Host is whatever its sender wrote: "forgot password" for someone
    /// else's address with <c>Host: attacker.example</c> would mail them a genuine reset link to the attacker's host.
    /// </summary>
    public Uri ForMail(IServer server) => ForBackground(server);

    /// <summary>
    /// For links made off any request (notifications): the configured address, otherwise the first the server listens
    /// on, a wildcard host read as localhost; set Portal:PublicUrl so receivers get an address they can open.
    /// </summary>
    public Uri ForBackground(IServer server)
    {
        if (_configured is not null)
        {
            return _configured;
        }

        var listening = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (listening is null || !Uri.TryCreate(listening.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal)
                .Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal).Replace("://[::]", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var address))
        {
            return new Uri("http://localhost/");
        }

        return new Uri(address.GetLeftPart(UriPartial.Authority) + "/");
    }

    private static Uri? Parse(string? value) =>
        Uri.TryCreate(value?.TrimEnd('/') + "/", UriKind.Absolute, out var uri) && !string.IsNullOrWhiteSpace(value) ? uri : null;
}
