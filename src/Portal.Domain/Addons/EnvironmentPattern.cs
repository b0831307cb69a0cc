using System.Text.RegularExpressions;
using Platform.Domain.Common;

namespace Platform.Domain.Addons;

/// <summary>
/// The one rule for <c>matching_environments_regex</c>: compiled with a match timeout, refused when it does not
/// compile or when it backtracks catastrophically on probe inputs, and a match that times out later selects nothing.
/// </summary>
public static class EnvironmentPattern
{
    public const string MatchAll = ".*";

    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(50);

    private const string Field = "matching_environments_regex";

    public static Result<Regex> Compile(string? pattern)
    {
        pattern ??= MatchAll;
        if (pattern.Length > ProjectAddon.MaxRegexLength)
        {
            return DomainError.Validation(Field, $"The regex is longer than {ProjectAddon.MaxRegexLength} characters.");
        }

        Regex regex;
        try
        {
            regex = new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException exception)
        {
            return DomainError.Validation(Field, $"The regex does not compile: {Texts.Cut(exception.Message, 200)}");
        }

        foreach (var probe in Probes(pattern))
        {
            try
            {
                regex.IsMatch(probe);
            }
            catch (RegexMatchTimeoutException)
            {
                return DomainError.Validation(Field, "The regex backtracks catastrophically (a probe input took longer than its time limit); simplify nested repetitions such as (a+)+.");
            }
        }

        return regex;
    }

    /// <summary>
    /// A pattern already checked when it was saved, compiled without its probes again (they cost up to their time
    /// limit each, on every batch); null when it no longer compiles. A match still has its timeout.
    /// </summary>
    public static Regex? Stored(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Whether the environment is selected; a match that runs out of time selects nothing.</summary>
    public static bool Matches(Regex regex, string environmentName)
    {
        try
        {
            return regex.IsMatch(environmentName);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>Runs of each character the pattern names, ended by one it likely does not expect: what makes nested repetitions explode.</summary>
    private static IEnumerable<string> Probes(string pattern)
    {
        var characters = pattern.Where(char.IsLetterOrDigit).Append('a').Append('0').Append('-').Distinct().Take(20);
        foreach (var c in characters)
        {
            yield return new string(c, 64) + "!";
            yield return new string(c, 64) + "\n";
        }
    }
}
