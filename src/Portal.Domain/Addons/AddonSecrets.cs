using System.Text.Json;
using Platform.Domain.Common;

namespace Platform.Domain.Addons;

/// <summary>
/// An installed addon's secret settings: read and written through <see cref="ISecretProtector"/> as one JSON object,
/// and masked wherever they are shown. The catalogue and the senders both read them here.
/// </summary>
public static class AddonSecrets
{
    /// <summary>What a secret setting is shown as; a URL keeps its origin in front of it, so a user can tell which it is.</summary>
    public const string Mask = "••••••••";

    public static Dictionary<string, string> Read(ProjectAddon addon, ISecretProtector protector) =>
        addon.ProtectedSecrets is null
            ? []
            : JsonSerializer.Deserialize<Dictionary<string, string>>(protector.Unprotect(addon.ProtectedSecrets)) ?? [];

    public static string? Protect(IReadOnlyDictionary<string, string> secrets, ISecretProtector protector) =>
        secrets.Count == 0 ? null : protector.Protect(JsonSerializer.Serialize(secrets));

    /// <summary>"••••••••", or for a URL its origin and "/••••••••" (https://hooks.slack.com/••••••••); never user-info, path or query.</summary>
    public static string Masked(AddonSettingDescriptor setting, string value) =>
        setting.Kind == "url" && Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? $"{uri.Scheme}://{uri.Authority}/{Mask}"
            : Mask;

    /// <summary>Every setting of an installed addon as answered: public ones as they are, secret ones masked.</summary>
    public static Dictionary<string, string?> Answered(AddonDescriptor descriptor, ProjectAddon addon, ISecretProtector protector)
    {
        var secrets = Read(addon, protector);
        var answered = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var setting in descriptor.Settings)
        {
            answered[setting.Name] = setting.Secret
                ? secrets.TryGetValue(setting.Name, out var secret) ? Masked(setting, secret) : null
                : addon.Settings.GetValueOrDefault(setting.Name);
        }

        return answered;
    }
}
