using System.Text.RegularExpressions;

namespace Platform.Domain.Common;

/// <summary>
/// The one naming rule of projects, environments, applications and databases: names become parts of addresses,
/// of variable names (<c>DATABASE_MAIN_URL</c>) and of the patterns addons match environments with, so they are
/// slugs, as Heroku's and Qovery's service names are. Services and forms alike check it here.
/// </summary>
public static partial class Names
{
    public const int MaxLength = 63;

    /// <summary>The rule as a regular expression (the API's schema publishes it as the names' pattern).</summary>
    public const string PatternText = "^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$";

    public const string Rule = "Use 1 to 63 letters, digits, '-' or '_', starting with a letter or a digit.";

    /// <summary>The rule in a form field's helper text.</summary>
    public const string Hint = "1 to 63 letters, digits, - and _";

    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);

    /// <summary>
    /// What is wrong with a name as typed (trimmed, as the services store it); null when it keeps the rule. A name left as
    /// it is stored (<paramref name="stored"/>) passes: names saved before the rule applied to projects and environments
    /// must not block their other changes.
    /// </summary>
    public static string? Problem(string? name, string? stored = null) =>
        stored is not null && name?.Trim() == stored ? null
        : string.IsNullOrWhiteSpace(name) ? "Name is required."
        : IsValid(name.Trim()) ? null
        : Rule;

    /// <summary>Adds the name's <see cref="Problem"/>, if any, under <paramref name="field"/>.</summary>
    public static void Check(Dictionary<string, string[]> errors, string field, string? name, string? stored = null)
    {
        if (Problem(name, stored) is { } problem)
        {
            errors[field] = [problem];
        }
    }

    [GeneratedRegex(PatternText)]
    private static partial Regex Pattern();
}
