using Platform.Domain.Services;

namespace Platform.Domain.Environments;

/// <summary>A service as the environment's status sees it; <paramref name="Serving"/>: a release of it is live.</summary>
public sealed record ServiceSnapshot(ServiceType Type, string Name, ServiceState State, string? Message, bool Serving = false)
{
    public SimpleState Simple => ServiceStatus.SimpleOf(State, Serving);
}

/// <summary>An environment's status derives from its services: the worst wins, and the message names it.</summary>
public static class EnvironmentStatus
{
    public static ServiceStatus Derive(IReadOnlyCollection<ServiceSnapshot> services)
    {
        if (services.Count == 0)
        {
            return new ServiceStatus(ServiceStatus.Name(ServiceState.Stopped), SimpleState.Ok, "No service yet.");
        }

        var worst = services.OrderByDescending(Severity).First();
        var simple = worst.Simple;
        if (simple == SimpleState.Error)
        {
            return ServiceStatus.Of(worst.State, $"{Noun(worst)} {worst.Name} is down: {worst.Message ?? ServiceStatus.Name(worst.State)}");
        }

        if (simple == SimpleState.Warning)
        {
            // A failed deploy while the previous release serves: the environment still answers, with a warning.
            var failedWhileServing = worst.State is ServiceState.BuildError or ServiceState.DeploymentError;
            return ServiceStatus.Of(worst.State, failedWhileServing
                ? $"{Noun(worst)} {worst.Name}'s last deploy failed; the previous version is still serving."
                : $"{Noun(worst)} {worst.Name} is {ServiceStatus.Name(worst.State).ToLowerInvariant().Replace('_', ' ')}.", worst.Serving);
        }

        var running = services.Count(s => s.State == ServiceState.Running);
        return running == 0
            ? ServiceStatus.Of(ServiceState.Stopped, "All services are stopped.")
            : ServiceStatus.Of(ServiceState.Running, running == services.Count ? "All services are running." : $"{running} of {services.Count} services are running.");
    }

    private static int Severity(ServiceSnapshot service) => service.Simple switch
    {
        SimpleState.Error => 3,
        SimpleState.Warning => 2,
        _ => service.State == ServiceState.Running ? 0 : 1,
    };

    private static string Noun(ServiceSnapshot service) => service.Type == ServiceType.Database ? "database" : "app";
}
