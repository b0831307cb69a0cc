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

    private static Uri? Parse(string? value) =>
        Uri.TryCreate(value?.TrimEnd('/') + "/", UriKind.Absolute, out var uri) && !string.IsNullOrWhiteSpace(value) ? uri : null;
}
