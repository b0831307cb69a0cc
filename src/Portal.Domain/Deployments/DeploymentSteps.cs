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
    public const string Delete = "Delete";

    public static IReadOnlyList<string> For(ServiceType type, ServiceAction action) => (type, action) switch
    {
        (ServiceType.Application, ServiceAction.Deploy) => [Fetch, Build, Start, Switch],
        (ServiceType.Application, ServiceAction.Restart) => [Start, Switch],
        (ServiceType.Database, ServiceAction.Deploy) => [Provision],
        (ServiceType.Database, ServiceAction.Restart) => [Stop, Provision],
        (_, ServiceAction.Delete) => [Delete],
        _ => [Stop],
    };

    /// <summary>
    /// Closes the steps of a service deployment that ends now: the step running becomes <paramref name="running"/>
    /// (done, failed or aborted) and the steps still pending are skipped. Used wherever a service deployment ends
    /// (the engine, the restart reconciliation, the abort of a queued deployment), so they all read the same.
    /// </summary>
    public static List<DeploymentStep> Close(IEnumerable<DeploymentStep> steps, StepState running, DateTimeOffset now) =>
        steps.Select(s => s.State switch
        {
            StepState.Running => s with { State = running, FinishedAt = now },
            StepState.Pending => s with { State = StepState.Skipped },
            _ => s,
        }).ToList();

    /// <summary>
    /// The share of steps finished, from 0 to 100, for a progress bar. Steps skipped because an earlier one failed
    /// or was aborted do not count: a failed deployment does not read as nearly done.
    /// </summary>
    public static int Progress(IReadOnlyList<DeploymentStep> steps)
    {
        if (steps.Count == 0)
        {
            return 0;
        }

        var cut = steps.Any(s => s.State is StepState.Failed or StepState.Aborted);
        return 100 * steps.Count(s => s.State == StepState.Done || (s.State == StepState.Skipped && !cut)) / steps.Count;
    }
}
