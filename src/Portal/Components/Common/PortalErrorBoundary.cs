using System.Diagnostics;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace Platform.Portal.Components.Common;

/// <summary>
/// The layout's error boundary: a page that throws shows the portal's error content with a trace id, which the log line
/// carries too; the circuit lives on, and the next navigation recovers. While prerendering, the answer's status is 500.
/// </summary>
public sealed class PortalErrorBoundary : ErrorBoundary
{
    [Inject]
    private ILogger<PortalErrorBoundary> Logger { get; set; } = default!;

    [CascadingParameter]
    private HttpContext? HttpContext { get; set; }

    public string? TraceId { get; private set; }

    protected override Task OnErrorAsync(Exception exception)
    {
        TraceId = Activity.Current?.Id ?? HttpContext?.TraceIdentifier ?? ActivityTraceId.CreateRandom().ToString();
        Logger.LogError(exception, "Unhandled exception in a page (trace id {TraceId})", TraceId);
        if (HttpContext is { Response.HasStarted: false } http)
        {
            http.Response.StatusCode = StatusCodes.Status500InternalServerError;
        }

        return Task.CompletedTask;
    }
}
