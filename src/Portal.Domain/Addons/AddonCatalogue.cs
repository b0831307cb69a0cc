namespace Platform.Domain.Addons;

/// <summary>An addon the catalogue offers: what it is called and says, the settings it takes and the events it hears.</summary>
public sealed record AddonDescriptor(
    AddonKind Kind,
    string Name,
    string ShortDescription,
    string Description,
    bool IsTrusted,
    IReadOnlyList<AddonSettingDescriptor> Settings,
    IReadOnlyList<string> Events)
{
    public AddonSettingDescriptor? Setting(string name) => Settings.FirstOrDefault(s => s.Name == name);
}

/// <summary>The built-in addons, described in one place: the list, the forms, validation and masking all read it.</summary>
public static class AddonCatalogue
{
    public static readonly AddonDescriptor Slack = new(
        AddonKind.Slack,
        "Slack",
        "Deployment news in a Slack channel.",
        "Posts a message with the service, the commit, the state and a link to the deployment to a Slack channel "
            + "through an incoming webhook, when a deployment of a matching environment is queued, succeeds, fails or "
            + "is aborted, and when an application turns to ERROR.",
        IsTrusted: true,
        [
            new(AddonSettingNames.SlackWebhookUrl, "Webhook URL", "url", Required: true, Secret: true,
                "The incoming webhook's URL, https://hooks.slack.com/services/…; its path is a token, so it is kept encrypted and shown masked."),
        ],
        AddonEvents.All);

    public static readonly AddonDescriptor Webhook = new(
        AddonKind.Webhook,
        "Webhook",
        "Signed JSON POSTs to a URL of yours.",
        "POSTs a JSON document about each deployment event of a matching environment (and applications turning to "
            + "ERROR) to your URL, signed in the header X-Platform-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "
            + "\"t.body\"> with your signing secret, so your receiver can check it and reject replays.",
        IsTrusted: true,
        [
            new(AddonSettingNames.WebhookUrl, "URL", "url", Required: true, Secret: true,
                "Where the POSTs go (http or https); URLs often carry a token, so it is kept encrypted and shown masked."),
            new(AddonSettingNames.SigningSecret, "Signing secret", "secret", Required: true, Secret: true,
                "The HMAC-SHA256 key of the signature, 16 to 200 characters."),
        ],
        AddonEvents.All);

    public static readonly AddonDescriptor Email = new(
        AddonKind.Email,
        "Email",
        "Deployment news by email.",
        "Emails the recipients about each deployment event of a matching environment, and when an application turns to ERROR.",
        IsTrusted: true,
        [
            new(AddonSettingNames.Recipients, "Recipients", "emails", Required: true, Secret: false,
                "1 to 20 email addresses, separated by commas."),
        ],
        AddonEvents.All);

    /// <summary>In the order the catalogue lists them.</summary>
    public static readonly IReadOnlyList<AddonDescriptor> All = [Slack, Webhook, Email];

    /// <summary>The addon of that name, in any case (slack, Slack); null when the catalogue has none.</summary>
    public static AddonDescriptor? Find(string? name) =>
        All.FirstOrDefault(a => string.Equals(a.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase));

    public static AddonDescriptor Of(AddonKind kind) => All.First(a => a.Kind == kind);
}
