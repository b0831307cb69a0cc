using System.Globalization;
using Platform.Domain.Common;

namespace Platform.Domain.Addons;

/// <summary>An addon's settings after a request: public values and secret values, by name, all checked.</summary>
public sealed record AddonSettingValues(Dictionary<string, string> Public, Dictionary<string, string> Secrets);

/// <summary>
/// The per-addon rules for settings, in one place: which names an addon takes, which are required, and what a
/// Slack webhook URL, a webhook URL, a signing secret and a recipient list must look like. Errors name the field
/// as <c>settings.&lt;name&gt;</c>.
/// </summary>
public static class AddonSettingRules
{
    public const int MaxUrlLength = 2000;
    public const int MinSigningSecretLength = 16;
    public const int MaxSigningSecretLength = 200;
    public const int MaxRecipients = 20;

    public static string Field(string name) => $"settings.{name}";

    /// <summary>
    /// Applies the request's settings to the stored ones (none on install) and checks what it sent. A setting left
    /// out or null keeps its stored value; so does a secret sent back as it was answered (masked), which a form does.
    /// </summary>
    public static Result<AddonSettingValues> Apply(
        AddonDescriptor addon, IReadOnlyDictionary<string, string?>? requested, AddonSettingValues stored, AddonSettings options)
    {
        var values = new AddonSettingValues(new(stored.Public, StringComparer.Ordinal), new(stored.Secrets, StringComparer.Ordinal));
        var errors = new Dictionary<string, string[]>();
        foreach (var (name, value) in requested ?? new Dictionary<string, string?>())
        {
            var setting = addon.Setting(name);
            if (setting is null)
            {
                var shown = Texts.Cut(name, 100);
                errors[Field(shown)] = [$"{addon.Name} takes no setting \"{shown}\"; it takes {string.Join(", ", addon.Settings.Select(s => s.Name))}."];
                continue;
            }

            var target = setting.Secret ? values.Secrets : values.Public;
            if (value is null || (setting.Secret && target.TryGetValue(name, out var kept) && AddonSecrets.Masked(setting, kept) == value))
            {
                continue;
            }

            var checkedValue = Check(setting, value.Trim(), options, out var error);
            if (error is not null)
            {
                errors[Field(name)] = [error];
            }
            else if (checkedValue.Length == 0)
            {
                target.Remove(name);
            }
            else
            {
                target[name] = checkedValue;
            }
        }

        foreach (var setting in addon.Settings.Where(s => s.Required && !errors.ContainsKey(Field(s.Name))))
        {
            if (!(setting.Secret ? values.Secrets : values.Public).ContainsKey(setting.Name))
            {
                errors[Field(setting.Name)] = [$"{setting.Label} is required."];
            }
        }

        return errors.Count > 0 ? DomainError.Validation(errors) : values;
    }

    /// <summary>The value as it is kept (recipients normalized), or an error; blank is kept as blank, for the required check.</summary>
    private static string Check(AddonSettingDescriptor setting, string value, AddonSettings options, out string? error)
    {
        error = null;
        if (value.Length == 0)
        {
            return value;
        }

        switch (setting.Name)
        {
            case AddonSettingNames.SlackWebhookUrl:
                error = SlackUrlError(value, options);
                return value;
            case AddonSettingNames.WebhookUrl:
                error = UrlError(value);
                return value;
            case AddonSettingNames.SigningSecret:
                error = value.Length is < MinSigningSecretLength or > MaxSigningSecretLength
                    ? $"The signing secret is {MinSigningSecretLength} to {MaxSigningSecretLength} characters long."
                    : null;
                return value;
            case AddonSettingNames.Recipients:
                return Recipients(value, out error);
            default:
                return value;
        }
    }

    /// <summary>
    /// An absolute https URL on a host the operator lists (hooks.slack.com by default), with a path under /services/.
    /// Plain http is taken only for a loopback host when the operator allows private addresses (tests' receivers).
    /// </summary>
    private static string? SlackUrlError(string value, AddonSettings options)
    {
        if (UrlError(value) is { } error)
        {
            return error;
        }

        var uri = new Uri(value, UriKind.Absolute);
        if (!options.IsSlackHost(uri.Host))
        {
            return $"A Slack webhook URL is on {string.Join(" or ", options.SlackWebhookHosts)}.";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !(options.AllowPrivateAddresses && uri.IsLoopback))
        {
            return "A Slack webhook URL starts with https://.";
        }

        return uri.AbsolutePath.StartsWith("/services/", StringComparison.Ordinal) && uri.AbsolutePath.Length > "/services/".Length
            ? null
            : "A Slack webhook URL's path starts with /services/ (copy it from the incoming webhook's page in Slack).";
    }

    /// <summary>An absolute http(s) URL of at most 2,000 characters, without a user name or password in it.</summary>
    private static string? UrlError(string value)
    {
        if (value.Length > MaxUrlLength)
        {
            return $"The URL is at most {MaxUrlLength.ToString("N0", CultureInfo.InvariantCulture)} characters.";
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            return "Enter an absolute http:// or https:// URL.";
        }

        return uri.UserInfo.Length > 0 ? "The URL must not carry a user name or password." : null;
    }

    /// <summary>1 to 20 addresses separated by commas, each valid; kept as "a@x.com, b@y.com".</summary>
    private static string Recipients(string value, out string? error)
    {
        var addresses = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var invalid = addresses.FirstOrDefault(a => !Validation.IsEmail(a));
        error = addresses.Length switch
        {
            0 => "Enter at least one email address.",
            > MaxRecipients => $"Enter at most {MaxRecipients} email addresses.",
            _ when invalid is not null => $"\"{Texts.Cut(invalid, 100)}\" is not a valid email address.",
            _ => null,
        };
        return string.Join(", ", addresses.Distinct(StringComparer.OrdinalIgnoreCase));
    }
}
