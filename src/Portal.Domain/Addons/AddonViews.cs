namespace Platform.Domain.Addons;

/// <summary>One setting an addon takes, as the catalogue describes it (answered in <c>metadata.settings</c>).</summary>
/// <param name="Kind">url, secret, emails or text: how a form shows it.</param>
public sealed record AddonSettingDescriptor(string Name, string Label, string Kind, bool Required, bool Secret, string Description);

/// <summary>An addon of the catalogue, as a project sees it (the draft's shape).</summary>
/// <param name="Settings">The installed values by name, secret ones masked; empty when not installed.</param>
public sealed record AddonView(
    string Name,
    string ShortDescription,
    string Description,
    bool IsTrusted,
    bool IsInstalled,
    string? MatchingEnvironmentsRegex,
    AddonMetadata Metadata,
    IReadOnlyDictionary<string, string?> Settings);

/// <summary>What the catalogue says about an addon beyond the draft's fields: its settings and the events it hears.</summary>
public sealed record AddonMetadata(
    IReadOnlyList<AddonSettingDescriptor> Settings,
    IReadOnlyList<string> Events,
    DateTimeOffset? InstalledAt,
    DateTimeOffset? UpdatedAt);

/// <summary>An install or a change: the regex (null keeps it, or means ".*" on install) and the settings by name.</summary>
/// <remarks>On a change, a secret setting left out or null keeps its stored value: secrets are write-only.</remarks>
public sealed record AddonRequest(string? MatchingEnvironmentsRegex, IReadOnlyDictionary<string, string?>? Settings);

/// <summary>One row of the delivery log.</summary>
public sealed record AddonDeliveryView(
    Guid Id,
    string Addon,
    string Event,
    string Status,
    int Attempts,
    Guid? EnvironmentId,
    int? HttpStatus,
    string? Error,
    int? DurationMs,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>An environment of the project and whether a regex selects it (the portal's regex tester).</summary>
public sealed record EnvironmentMatch(Guid Id, string Name, bool Matches);
