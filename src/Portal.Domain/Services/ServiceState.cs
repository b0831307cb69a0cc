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
    public static SimpleState SimpleOf(ServiceState state) => state switch
    {
        ServiceState.BuildError or ServiceState.DeploymentError or ServiceState.StopError => Services.SimpleState.Error,
        ServiceState.Running or ServiceState.Stopped or ServiceState.Deleted => Services.SimpleState.Ok,
        _ => Services.SimpleState.Warning,
    };

    public static ServiceStatus Of(ServiceState state, string? message) => new(Name(state), SimpleOf(state), message);

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
