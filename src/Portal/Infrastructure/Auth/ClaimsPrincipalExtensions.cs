using System.Security.Claims;

namespace Platform.Portal.Infrastructure.Auth;

public static class PlatformClaims
{
    public const string PlatformAdmin = "platform_admin";
    public const string DisplayName = "display_name";
    public const string TokenId = "token_id";

    public static Guid GetUserId(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id)
            ? id
            : throw new InvalidOperationException("The caller is not signed in.");

    public static string GetDisplayName(this ClaimsPrincipal principal) =>
        principal.FindFirstValue(DisplayName) ?? principal.Identity?.Name ?? "";
}
