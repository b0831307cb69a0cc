using System.Text.Json;
using System.Text.Json.Serialization;
using Platform.Domain.Events;
using Platform.Domain.Services;

namespace Platform.Domain.Addons;

/// <summary>
/// The notification document of a delivery (its <see cref="AddonDelivery.Payload"/>), the webhook's body as it is:
/// what happened, where, to which services at which commit, and a link to it in the portal. Free of secrets.
/// </summary>
public sealed record AddonNotification(
    string Event,
    string Title,
    string Message,
    DateTimeOffset OccurredAt,
    NotificationRef Project,
    NotificationRef? Environment,
    NotificationDeployment? Deployment,
    IReadOnlyList<NotificationService> Services,
    NotificationCommit? Commit,
    Uri Url)
{
    /// <summary>snake_case names, as the API writes them; the stored payload and the webhook's body alike.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static AddonNotification FromJson(string json) => JsonSerializer.Deserialize<AddonNotification>(json, Json)!;

    /// <summary>The services' names, joined for a line of text (Slack's field, the mail's subject).</summary>
    public string ServiceNames => Services.Count == 0 ? "—" : string.Join(", ", Services.Select(s => s.Name));

    /// <summary>The state the notification names: the deployment's, or the application's.</summary>
    public string State => Deployment?.State ?? (Services.Count > 0 ? Services[0].State : null) ?? Event;
}

public sealed record NotificationRef(Guid Id, string Name);

/// <param name="Kind">DEPLOY, STOP, RESTART, ROLLBACK…, as the API spells it.</param>
/// <param name="State">QUEUED, OK, FAILED or ABORTED.</param>
public sealed record NotificationDeployment(Guid Id, string Kind, string State);

/// <param name="Type">APPLICATION or DATABASE.</param>
/// <param name="State">The service's state in the deployment (QUEUED, OK, FAILED…), or the application's (ERROR).</param>
public sealed record NotificationService(Guid Id, string Name, string Type, string State, NotificationCommit? Commit);

public sealed record NotificationCommit(string ShortId, string? Message);

/// <summary>Which events addons hear about, and what each is called to them: the one mapping, read by the outbox and the dispatcher.</summary>
public static class AddonNotices
{
    public const string InstanceExited = "INSTANCE_EXITED";
    public const string OomKilled = "OOM_KILLED";

    /// <summary>Exits of one application within <see cref="CrashWindow"/> that make a crash loop: its status turns to ERROR.</summary>
    public const int CrashLoopExits = 3;

    /// <summary>The crash loop's window, and how long an application's error is told once.</summary>
    public static readonly TimeSpan CrashWindow = TimeSpan.FromMinutes(10);

    /// <summary>Whether the event goes to the outbox: judged from the row alone (the interceptor may not query).</summary>
    public static bool Hears(PlatformEvent e) => e.ServiceType switch
    {
        ServiceType.Environment => DeploymentEvent(e.State) is not null,
        ServiceType.Application => e.State is InstanceExited or OomKilled,
        _ => false,
    };

    /// <summary>The addon event of an environment event's state (QUEUED, OK, FAILED, ABORTED); null for the others.</summary>
    public static string? DeploymentEvent(string state) => state switch
    {
        "QUEUED" => AddonEvents.DeploymentQueued,
        "OK" => AddonEvents.DeploymentSucceeded,
        "FAILED" => AddonEvents.DeploymentFailed,
        "ABORTED" => AddonEvents.DeploymentAborted,
        _ => null,
    };

    public static string Title(string addonEvent) => addonEvent switch
    {
        AddonEvents.DeploymentQueued => "Deployment queued",
        AddonEvents.DeploymentSucceeded => "Deployment succeeded",
        AddonEvents.DeploymentFailed => "Deployment failed",
        AddonEvents.DeploymentAborted => "Deployment aborted",
        AddonEvents.ApplicationError => "Application error",
        _ => "Test notification",
    };
}
