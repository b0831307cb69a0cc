namespace Platform.Domain.Runtime;

/// <summary>What supervision tells about a running application.</summary>
public enum RuntimeNoticeKind
{
    /// <summary>An instance exited and is started again.</summary>
    InstanceExited,

    /// <summary>An instance passed its memory request and was killed; it is started again.</summary>
    OomKilled,

    /// <summary>An instance failed its liveness probe and is started again.</summary>
    LivenessFailed,

    /// <summary>An instance fails its readiness probe and gets no traffic until it passes again.</summary>
    InstanceUnhealthy,

    ScaledUp,

    ScaledDown,
}

/// <summary>What supervision reports about a running application (crash, restart, out of memory, scaling).</summary>
/// <param name="Instances">For a scale notice, how many instances run now: the running time is billed by it.</param>
/// <param name="DeploymentId">The release (service deployment) it is about: a scale notice rescales that release's running time only.</param>
public sealed record RuntimeNotice(Guid ApplicationId, RuntimeNoticeKind Kind, string Message, int? Instances = null, Guid? DeploymentId = null)
{
    /// <summary>The event's state, as the API spells it (INSTANCE_EXITED, OOM_KILLED, …).</summary>
    public string State => System.Text.Json.JsonNamingPolicy.SnakeCaseUpper.ConvertName(Kind.ToString());

    public Services.SimpleState SimpleState => Kind is RuntimeNoticeKind.ScaledUp or RuntimeNoticeKind.ScaledDown ? Services.SimpleState.Ok : Services.SimpleState.Warning;
}

/// <summary>Where a runtime reports what happens to running applications; the domain records them as events.</summary>
public interface IRuntimeNotices
{
    void Report(RuntimeNotice notice);
}
