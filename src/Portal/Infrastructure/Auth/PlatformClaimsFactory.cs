using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Platform.Domain.Users;

namespace Platform.Portal.Infrastructure.Auth;

/// <summary>Adds the display name and the platform-admin flag to the portal's cookie identity.</summary>
public sealed class PlatformClaimsFactory(UserManager<PlatformUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<PlatformUser>(users, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(PlatformUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(PlatformClaims.DisplayName, user.DisplayName));
        identity.AddClaim(new Claim(PlatformClaims.PlatformAdmin, user.IsPlatformAdmin.ToString(CultureInfo.InvariantCulture).ToLowerInvariant()));
        return identity;
    }
}
