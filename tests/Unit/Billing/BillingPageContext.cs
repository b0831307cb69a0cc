using System.Security.Claims;
using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Interop;
using MudBlazor.Services;
using Platform.Domain.Billing;
using Platform.Domain.Billing.Cards;
using Platform.Domain.Billing.Invoices;
using Platform.Domain.Organizations;
using Platform.Portal.Billing;
using Platform.Portal.Infrastructure;
using Platform.Portal.Infrastructure.Auth;
using Platform.Portal.Organizations;

namespace Platform.Tests.Billing;

/// <summary>
/// A bUnit context for the billing page on a real portal: the page's services come from one scope of the host (real
/// PostgreSQL, the portal's clock), and the page is signed in as the given user.
/// </summary>
public static class BillingPageContext
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>What the billing page and its sections inject from the host.</summary>
    private static readonly Type[] HostServices =
    [
        typeof(OrganizationService), typeof(OrganizationContext), typeof(BillingService), typeof(CardService), typeof(InvoiceService),
        typeof(InvoiceExports), typeof(InvoiceLinks), typeof(PortalLinks), typeof(IConfiguration),
    ];

    public static BunitContext Create(BillingPortal billing, string email, Guid userId)
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        // The donut draws once the browser has told it its size; bUnit has no browser, so it answers here.
        context.JSInterop.Setup<ElementSize>("mudObserveElementSize", _ => true).SetResult(new ElementSize { Width = 700, Height = 350, Timestamp = 1 });
        context.JSInterop.Setup<ElementSize>("mudGetSvgBBox", _ => true).SetResult(new ElementSize { Width = 30, Height = 20, Timestamp = 1 });
        context.Services.AddMudServices();
        var authorization = context.AddAuthorization();
        authorization.SetAuthorized(email);
        authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, userId.ToString()));
        context.Services.AddScoped<CurrentCaller>();
        context.Services.AddSingleton<TimeProvider>(billing.Clock);
        context.Services.AddSingleton(_ => new HostScope(billing.Portal.Services.CreateAsyncScope()));
        foreach (var type in HostServices)
        {
            context.Services.AddScoped(type, sp => sp.GetRequiredService<HostScope>().Scope.ServiceProvider.GetRequiredService(type));
        }

        return context;
    }

    public static IRenderedComponent<BillingPage> RenderBilling(this BunitContext context, Guid organizationId) =>
        context.Render<BillingPage>(p => p.Add(page => page.Id, organizationId));

    /// <summary>The input a field's label names (MudBlazor ties the label to its input with for/id).</summary>
    public static IElement Field(this IRenderedComponent<BillingPage> page, string label)
    {
        var found = page.FindAll("label").Single(l => l.TextContent.Trim().TrimEnd('*').Trim() == label);
        return page.Find($"#{found.GetAttribute("for")}");
    }

    /// <summary>The error text shown under a field, or null when the field is not marked.</summary>
    public static string? ErrorOf(this IRenderedComponent<BillingPage> page, string label)
    {
        var control = page.Field(label).Closest(".mud-input-control")!;
        return control.QuerySelector(".mud-input-control-helper-container .mud-input-error")?.TextContent.Trim();
    }

    public static Task TypeAsync(this IRenderedComponent<BillingPage> page, string label, string value) =>
        page.Field(label).ChangeAsync(new Microsoft.AspNetCore.Components.ChangeEventArgs { Value = value });

    public static Task ClickAsync(this IRenderedComponent<BillingPage> page, string button) =>
        page.FindAll("button").Single(b => b.TextContent.Trim() == button).ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());

    private sealed class HostScope(AsyncServiceScope scope) : IAsyncDisposable
    {
        public AsyncServiceScope Scope => scope;

        public ValueTask DisposeAsync() => scope.DisposeAsync();
    }
}
