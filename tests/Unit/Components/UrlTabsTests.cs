using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Platform.Portal.Components.Common;

namespace Platform.Tests.Components;

public sealed class UrlTabsTests
{
    private static readonly string[] Names = ["deployments", "metrics", "logs"];

    [Fact]
    public async Task UrlTabs_OpensTheTabTheAddressNames()
    {
        await using var context = NewContext();
        context.Services.GetRequiredService<NavigationManager>().NavigateTo("/application/1?tab=logs");

        var tabs = Render(context);

        Assert.Contains("content of logs", tabs.Markup);
        Assert.DoesNotContain("content of deployments", tabs.Markup);
    }

    [Fact]
    public async Task UrlTabs_WithoutTabInTheAddress_OpensTheFirst()
    {
        await using var context = NewContext();
        context.Services.GetRequiredService<NavigationManager>().NavigateTo("/application/1?tab=nonsense");

        var tabs = Render(context);

        Assert.Contains("content of deployments", tabs.Markup);
    }

    [Fact]
    public async Task UrlTabs_ChoosingATab_PushesItsNameKeepingTheOtherParameters()
    {
        await using var context = NewContext();
        var navigation = context.Services.GetRequiredService<BunitNavigationManager>();
        navigation.NavigateTo("/application/1?deployment=42");
        var tabs = Render(context);

        tabs.FindAll(".mud-tab").Single(tab => tab.TextContent.Contains("Logs", StringComparison.Ordinal)).Click();

        var uri = new Uri(navigation.Uri);
        Assert.Equal("/application/1", uri.AbsolutePath);
        Assert.Contains("tab=logs", uri.Query, StringComparison.Ordinal);
        Assert.Contains("deployment=42", uri.Query, StringComparison.Ordinal);
        Assert.False(navigation.History.First().Options.ReplaceHistoryEntry);
        tabs.WaitForAssertion(() => Assert.Contains("content of logs", tabs.Markup));
    }

    [Fact]
    public async Task UrlTabs_WhenTheAddressGoesBack_ShowsThePreviousTab()
    {
        await using var context = NewContext();
        var navigation = context.Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("/application/1?tab=logs");
        var tabs = Render(context);

        navigation.NavigateTo("/application/1?tab=metrics");

        tabs.WaitForAssertion(() => Assert.Contains("content of metrics", tabs.Markup));
        Assert.DoesNotContain("content of logs", tabs.Markup);
    }

    private static BunitContext NewContext()
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        return context;
    }

    private static IRenderedComponent<UrlTabs> Render(BunitContext context) =>
        context.Render<UrlTabs>(parameters => parameters
            .Add(t => t.Names, Names)
            .Add(t => t.ChildContent, Panels));

    private static void Panels(Microsoft.AspNetCore.Components.Rendering.RenderTreeBuilder builder)
    {
        foreach (var name in Names)
        {
            builder.OpenComponent<UrlTab>(0);
            builder.AddAttribute(1, nameof(UrlTab.Text), char.ToUpperInvariant(name[0]) + name[1..]);
            builder.AddAttribute(2, nameof(UrlTab.ChildContent), (RenderFragment)(content => content.AddContent(0, $"content of {name}")));
            builder.CloseComponent();
        }
    }
}
