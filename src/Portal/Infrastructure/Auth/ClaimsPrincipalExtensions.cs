using System.Security.Claims;
using Platform.Domain.Access;
using Platform.Domain.Members;

namespace Platform.Portal.Infrastructure.Auth;

public static class PlatformClaims
{
    public const string PlatformAdmin = "platform_admin";
    public const string DisplayName = "display_name";
    public const string TokenId = "token_id";
    public const string TokenOrganization = "token_organization";
    public const string TokenRole = "token_role";

    public static Guid GetUserId(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id)
            ? id
            : throw new InvalidOperationException("The caller is not signed in.");

    public static string GetDisplayName(this ClaimsPrincipal principal) =>
        principal.FindFirstValue(DisplayName) ?? principal.Identity?.Name ?? "";

    /// <summary>The domain's view of who is asking, from a cookie or a token identity.</summary>
    public static Caller ToCaller(this ClaimsPrincipal principal)
    {
        var organization = principal.FindFirstValue(TokenOrganization);
        return organization is null
            ? new Caller(principal.GetUserId())
            : new Caller(principal.GetUserId(), Guid.Parse(organization), Enum.Parse<OrganizationRole>(principal.FindFirstValue(TokenRole)!));
    }
}
