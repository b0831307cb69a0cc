using Bunit;
using Microsoft.AspNetCore.Components;
using MudBlazor.Services;
using Platform.Portal.Components;
using Platform.Portal.Components.Common;

namespace Platform.Tests.Components;

public sealed class PortalErrorBoundaryTests
{
    [Fact]
    public async Task ErrorBoundary_WhenAPageThrows_ShowsATraceIdAndNotTheException()
    {
        await using var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        IRenderedComponent<PortalErrorBoundary>? boundary = null;

        boundary = context.Render<PortalErrorBoundary>(parameters => parameters
            .Add(b => b.ChildContent, builder =>
            {
                builder.OpenComponent<FailingPage>(0);
                builder.CloseComponent();
            })
            .Add(b => b.ErrorContent, (Exception _) => builder =>
            {
                builder.OpenComponent<ErrorDetails>(0);
                builder.AddAttribute(1, nameof(ErrorDetails.TraceId), boundary?.Instance.TraceId);
                builder.CloseComponent();
            }));

        boundary.Render();
        Assert.NotNull(boundary.Instance.TraceId);
        Assert.Equal(boundary.Instance.TraceId, boundary.Find("[data-testid=trace-id]").TextContent);
        Assert.DoesNotContain(FailingPage.Message, boundary.Markup, StringComparison.Ordinal);
    }

    private sealed class FailingPage : ComponentBase
    {
        public const string Message = "secret detail of the failure";

        protected override void OnInitialized() => throw new InvalidOperationException(Message);
    }
}
