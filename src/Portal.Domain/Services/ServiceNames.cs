using System.Text.RegularExpressions;

namespace Platform.Domain.Services;

/// <summary>Names of services and environments: they become parts of URLs and of variable names.</summary>
public static partial class ServiceNames
{
    public const int MaxLength = 63;

    public const string Rule = "Use 1 to 63 letters, digits, '-' or '_', starting with a letter or a digit.";

    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")]
    private static partial Regex Pattern();
}
