using System.Text;
using System.Text.RegularExpressions;

namespace Platform.Domain.Variables;

/// <summary>The rules for keys and values (PRODUCT.md section 8), with messages for people.</summary>
public static partial class VariableRules
{
    public const string ReservedPrefix = "PLATFORM_";

    /// <summary>Set by the runtime for every instance: overriding it would break routing and health checks.</summary>
    public const string PortKey = "PORT";

    /// <summary>What a key looks like (besides the reserved prefix and the length); the API's schema publishes it.</summary>
    public const string KeyPatternText = "^[A-Za-z_][A-Za-z0-9_]*$";

    public static string? KeyError(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return "The key is required.";
        }

        if (key.Length > Variable.MaxKeyLength)
        {
            return $"A key is at most {Variable.MaxKeyLength} characters.";
        }

        if (!KeyPattern().IsMatch(key))
        {
            return "A key starts with a letter or _, then letters, digits or _ (like DATABASE_URL).";
        }

        return key.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase)
            ? $"Keys starting with {ReservedPrefix} are reserved for the platform's built-in variables."
            : null;
    }

    public static string? ValueError(string? value) =>
        value is null ? "The value is required (it may be empty)."
        : Encoding.UTF8.GetByteCount(value) > Variable.MaxValueLength ? $"A value is at most {Variable.MaxValueLength / 1024} KiB."
        // No process environment can carry a NUL, and the sandbox passes values NUL-separated.
        : value.Contains('\0', StringComparison.Ordinal) ? "A value cannot hold a NUL character (\\u0000)."
        : null;

    /// <summary>DATABASE_&lt;NAME&gt;_… from a database called "main-db": MAIN_DB.</summary>
    public static string UpperSnake(string name) => NonWord().Replace(name, "_").ToUpperInvariant();

    [GeneratedRegex(KeyPatternText)]
    private static partial Regex KeyPattern();

    [GeneratedRegex("[^A-Za-z0-9]+")]
    private static partial Regex NonWord();
}
