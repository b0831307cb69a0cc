namespace Platform.Domain.Addons;

/// <summary>The settings' API names, shared by the catalogue (which validates and masks them) and the senders.</summary>
public static class AddonSettingNames
{
    /// <summary>Slack's incoming-webhook URL (secret: its path is the token).</summary>
    public const string SlackWebhookUrl = "webhook_url";

    /// <summary>The generic webhook's target URL (secret: URLs often carry a token).</summary>
    public const string WebhookUrl = "url";

    /// <summary>The key of the webhook's HMAC-SHA256 signature (secret).</summary>
    public const string SigningSecret = "signing_secret";

    /// <summary>The email addon's recipients, comma-separated.</summary>
    public const string Recipients = "recipients";
}

/// <summary>What addons are notified of: the <see cref="AddonDelivery.Event"/> values.</summary>
public static class AddonEvents
{
    public const string DeploymentQueued = "DEPLOYMENT_QUEUED";
    public const string DeploymentSucceeded = "DEPLOYMENT_SUCCEEDED";
    public const string DeploymentFailed = "DEPLOYMENT_FAILED";
    public const string DeploymentAborted = "DEPLOYMENT_ABORTED";
    public const string ApplicationError = "APPLICATION_ERROR";
    public const string Test = "TEST";

    public static readonly IReadOnlyList<string> All = [DeploymentQueued, DeploymentSucceeded, DeploymentFailed, DeploymentAborted, ApplicationError, Test];
}
