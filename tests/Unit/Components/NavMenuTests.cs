using Bunit;
using MudBlazor.Services;
using Platform.Portal.Components.Layout;
using Platform.Portal.Infrastructure.Auth;

namespace Platform.Tests.Components;

public sealed class NavMenuTests
{
    [Fact]
    public async Task NavMenu_ForAPlatformAdmin_LinksTheJobDashboard()
    {
        await using var context = CreateContext(isPlatformAdmin: true);

        var menu = context.Render<NavMenu>();

        Assert.Contains(menu.FindAll("a"), a => a.GetAttribute("href") == "/jobs");
    }

    [Fact]
    public async Task NavMenu_ForAnOrdinaryUser_HidesTheJobDashboard()
    {
        await using var context = CreateContext(isPlatformAdmin: false);

        var menu = context.Render<NavMenu>();

        Assert.DoesNotContain(menu.FindAll("a"), a => a.GetAttribute("href") == "/jobs");
        Assert.Contains(menu.FindAll("a"), a => a.GetAttribute("href") == "/");
    }

    private static BunitContext CreateContext(bool isPlatformAdmin)
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        var authorization = context.AddAuthorization();
        authorization.SetAuthorized("ada@example.com");
        if (isPlatformAdmin)
        {
            authorization.SetPolicies(Policies.PlatformAdmin);
        }

        return context;
    }
}
