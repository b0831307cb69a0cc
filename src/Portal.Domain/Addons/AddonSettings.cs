namespace Platform.Domain.Addons;

/// <summary>
/// The operator's settings for addons (section <c>Addons</c>): which Slack hosts are accepted, and how deliveries
/// reach receivers. Read by the catalogue (validation) and the dispatch side (sending, retries).
/// </summary>
public sealed class AddonSettings
{
    public const string Section = "Addons";

    /// <summary>
    /// False (the default): connections to loopback, private, link-local, unique-local, CGNAT, multicast and
    /// unspecified addresses (and their IPv4-mapped forms) are refused, at connect time and for every hop.
    /// Tests turn it on for their loopback receivers.
    /// </summary>
    public bool AllowPrivateAddresses { get; set; }

    /// <summary>Hosts a Slack <c>webhook_url</c> may name; Slack's own by default.</summary>
    public string[] SlackWebhookHosts { get; set; } = ["hooks.slack.com"];

    /// <summary>How long one attempt may take, connect to last byte.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>How much of a receiver's answer is read; the rest is dropped (its answers are not trusted).</summary>
    public int MaxResponseBytes { get; set; } = 65536;

    /// <summary>Attempts of one delivery before it is recorded as failed.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The back-off's base: attempt n+1 waits RetryBaseSeconds × 2^(n−1).</summary>
    public int RetryBaseSeconds { get; set; } = 30;

    /// <summary>Whether a Slack webhook URL's host is one the operator accepts (case-insensitive).</summary>
    public bool IsSlackHost(string host) =>
        SlackWebhookHosts.Any(allowed => string.Equals(allowed.Trim(), host, StringComparison.OrdinalIgnoreCase));

    /// <summary>The wait before the attempt after attempt <paramref name="attempts"/> (1-based): base × 2^(n−1).</summary>
    public TimeSpan RetryDelay(int attempts) =>
        TimeSpan.FromSeconds(RetryBaseSeconds * Math.Pow(2, Math.Max(0, attempts - 1)));
}
