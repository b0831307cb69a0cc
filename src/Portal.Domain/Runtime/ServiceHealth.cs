using Platform.Domain.Services;

namespace Platform.Domain.Runtime;

/// <summary>A service's status as answered: its recorded state, read against what the runtime sees running now.</summary>
public static class ServiceHealth
{
    /// <summary>RUNNING stays RUNNING, with a WARNING, while some instances are not ready (PRODUCT.md section 5).</summary>
    /// <param name="serving">A release of it is live (its live deployment is set): a failed deploy then leaves it serving.</param>
    public static ServiceStatus Of(ServiceState state, string? message, ApplicationSnapshot? live, bool serving)
    {
        if (state != ServiceState.Running || live is null || live.Ready >= live.Desired)
        {
            return ServiceStatus.Of(state, message, serving && (live is null || live.Ready > 0));
        }

        var text = live.Ready == 0
            ? "No instance is ready: the application answers 503 until one is."
            : $"{live.Ready} of {live.Desired} instances are ready.";
        return new ServiceStatus(ServiceStatus.Name(state), live.Ready == 0 ? SimpleState.Error : SimpleState.Warning, text);
    }
}
