using Microsoft.AspNetCore.Components.Authorization;
using Platform.Domain.Access;

namespace Platform.Portal.Infrastructure.Auth;

/// <summary>The signed-in user of a portal circuit, as the domain services expect it.</summary>
public sealed class CurrentCaller(AuthenticationStateProvider authentication)
{
    public async Task<Caller> GetAsync() => (await authentication.GetAuthenticationStateAsync()).User.ToCaller();
}
