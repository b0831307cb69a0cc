using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Platform.Domain.Live;
using Platform.Portal.Infrastructure.Auth;
using Platform.Portal.Organizations;

namespace Platform.Tests.Support;

/// <summary>
/// bUnit contexts wired to a real portal: Mud's services, a signed-in user, the host's LiveBus, and the host's scoped
/// services (the feature services) from one scope of the host per context, ended with the context.
/// </summary>
public static class PortalComponents
{
    public static BunitContext CreateComponentContext(this PortalFactory portal, string email, Guid userId)
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        var authorization = context.AddAuthorization();
        authorization.SetAuthorized(email);
        authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, userId.ToString()));
        context.Services.AddScoped<CurrentCaller>();
        // Per circuit in the portal, as here: the organization the pages are in.
        context.Services.AddScoped<OrganizationContext>();
        context.Services.AddSingleton(portal.Services.GetRequiredService<LiveBus>());
        context.Services.AddSingleton(_ => new HostScope(portal.Services.CreateAsyncScope()));
        return context;
    }

    /// <summary>Gives the components the host's own instance of a service that is scoped in the portal.</summary>
    public static BunitContext WithHostService<T>(this BunitContext context)
        where T : class
    {
        context.Services.AddScoped(sp => sp.GetRequiredService<HostScope>().Scope.ServiceProvider.GetRequiredService<T>());
        return context;
    }

    private sealed class HostScope(AsyncServiceScope scope) : IAsyncDisposable
    {
        public AsyncServiceScope Scope => scope;

        public ValueTask DisposeAsync() => scope.DisposeAsync();
    }
}
