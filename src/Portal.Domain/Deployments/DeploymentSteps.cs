using Platform.Domain.Services;

namespace Platform.Domain.Deployments;

/// <summary>The steps a service deployment goes through, by service and action, as the portal shows them.</summary>
public static class DeploymentSteps
{
    public const string Fetch = "Fetch";
    public const string Build = "Build";
    public const string Start = "Start";
    public const string Switch = "Switch traffic";
    public const string Stop = "Stop";
    public const string Provision = "Provision";

    public static IReadOnlyList<string> For(ServiceType type, ServiceAction action) => (type, action) switch
    {
        (ServiceType.Application, ServiceAction.Deploy) => [Fetch, Build, Start, Switch],
        (ServiceType.Application, ServiceAction.Restart) => [Start, Switch],
        (ServiceType.Database, ServiceAction.Deploy) => [Provision],
        (ServiceType.Database, ServiceAction.Restart) => [Stop, Provision],
        _ => [Stop],
    };

    /// <summary>The share of steps finished, from 0 to 100, for a progress bar.</summary>
    public static int Progress(IReadOnlyList<DeploymentStep> steps) =>
        steps.Count == 0 ? 0 : 100 * steps.Count(s => s.State is StepState.Done or StepState.Skipped) / steps.Count;
}
