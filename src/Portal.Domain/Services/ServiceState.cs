namespace Platform.Domain.Services;

/// <summary>The states of PRODUCT.md section 5, shared by applications and databases (databases never build).</summary>
public enum ServiceState
{
    Queued,
    Building,
    BuildError,
    Deploying,
    DeploymentError,
    Running,
    Stopping,
    Stopped,
    StopError,
    Restarting,
    Deleting,
    Deleted,
}

public enum SimpleState
{
    Ok,
    Warning,
    Error,
}

/// <summary>The shared status shape: a state, its simple reading and a message for people.</summary>
public sealed record ServiceStatus(string State, SimpleState SimpleState, string? Message)
{
    /// <summary>
    /// The simple reading of a state. A failed build or deploy while the previous release still serves
    /// (<paramref name="previousServes"/>) is a WARNING, not an ERROR (PRODUCT.md section 5): the service answers.
    /// </summary>
    public static SimpleState SimpleOf(ServiceState state, bool previousServes = false) => state switch
    {
        ServiceState.BuildError or ServiceState.DeploymentError when previousServes => Services.SimpleState.Warning,
        ServiceState.BuildError or ServiceState.DeploymentError or ServiceState.StopError => Services.SimpleState.Error,
        ServiceState.Running or ServiceState.Stopped or ServiceState.Deleted => Services.SimpleState.Ok,
        _ => Services.SimpleState.Warning,
    };

    /// <param name="previousServes">A release of the service still serves (its live deployment is set).</param>
    public static ServiceStatus Of(ServiceState state, string? message, bool previousServes = false) => new(Name(state), SimpleOf(state, previousServes), message);

    /// <summary>UPPER_SNAKE, as on the wire.</summary>
    public static string Name(ServiceState state) => System.Text.Json.JsonNamingPolicy.SnakeCaseUpper.ConvertName(state.ToString());
}

public enum ServiceType
{
    Application,
    Database,

    /// <summary>Events about the environment itself (created, cloned, archived…).</summary>
    Environment,

    /// <summary>Events about a project's own settings, such as its variables.</summary>
    Project,

    /// <summary>Events about an organization's own settings, such as its variables.</summary>
    Organization,
}

/// <summary>What applications and databases have in common as the deployment engine moves them from state to state.</summary>
public interface IDeployedService
{
    Guid EnvironmentId { get; }

    string Name { get; }

    ServiceState State { get; set; }

    string? StateMessage { get; set; }

    /// <summary>The service deployment whose release should be running; null when the service should not run.</summary>
    Guid? LiveDeploymentId { get; set; }

    DateTimeOffset UpdatedAt { get; set; }

    /// <summary>A release of it now runs: clears what waited for a deployment (an application's RESTART_NEEDED).</summary>
    void MarkDeployed(DateTimeOffset at);
}
