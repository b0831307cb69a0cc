using System.Net.Mail;

namespace Platform.Domain.Common;

/// <summary>Field checks shared by the services; each adds a readable message under the field's JSON name.</summary>
public static class Validation
{
    /// <summary>The longest address SMTP carries (RFC 5321's path limit).</summary>
    public const int MaxEmailLength = 254;

    public static void RequireText(Dictionary<string, string[]> errors, string field, string? value, string label, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors[field] = [$"{label} is required."];
        }
        else if (value.Trim().Length > maxLength)
        {
            errors[field] = [$"{label} is at most {maxLength} characters."];
        }
    }

    public static void LimitText(Dictionary<string, string[]> errors, string field, string? value, string label, int maxLength)
    {
        if (value is not null && value.Trim().Length > maxLength)
        {
            errors[field] = [$"{label} is at most {maxLength} characters."];
        }
    }

    public static bool IsEmail(string? email) =>
        email is { Length: > 3 and <= MaxEmailLength }
        && MailAddress.TryCreate(email, out var parsed)
        && parsed.Address.Equals(email, StringComparison.OrdinalIgnoreCase)
        && parsed.Host.Contains('.', StringComparison.Ordinal);

    /// <summary>Blank becomes null, the rest is trimmed.</summary>
    public static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
