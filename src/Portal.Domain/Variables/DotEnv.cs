using System.Text;

namespace Platform.Domain.Variables;

public sealed record DotEnvEntry(int Line, string Key, string Value);

public sealed record DotEnvError(int Line, string Message);

/// <summary>
/// Reads .env text as Heroku, docker-compose and dotenv write it: KEY=value lines, # comments, an optional
/// "export ", single quotes taken literally, double quotes with \n, \t, \" and \\ escapes.
/// </summary>
public static class DotEnv
{
    public static (IReadOnlyList<DotEnvEntry> Entries, IReadOnlyList<DotEnvError> Errors) Parse(string text)
    {
        var entries = new List<DotEnvEntry>();
        var errors = new List<DotEnvError>();
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var index = 0; index < lines.Length; index++)
        {
            var number = index + 1;
            var line = lines[index].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line["export ".Length..].TrimStart();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                errors.Add(new DotEnvError(number, "Expected KEY=value."));
                continue;
            }

            var key = line[..equals].Trim();
            var value = ReadValue(line[(equals + 1)..].Trim(), out var unterminated);
            if (unterminated)
            {
                errors.Add(new DotEnvError(number, $"The quoted value of {key} is not closed."));
                continue;
            }

            entries.Add(new DotEnvEntry(number, key, value));
        }

        return (entries, errors);
    }

    private static string ReadValue(string raw, out bool unterminated)
    {
        unterminated = false;
        if (raw.Length > 0 && raw[0] is '\'' or '"')
        {
            var quote = raw[0];
            var end = raw.LastIndexOf(quote);
            if (end == 0)
            {
                unterminated = true;
                return "";
            }

            var inner = raw[1..end];
            return quote == '\'' ? inner : Unescape(inner);
        }

        var comment = raw.IndexOf(" #", StringComparison.Ordinal);
        return (comment >= 0 ? raw[..comment] : raw).TrimEnd();
    }

    private static string Unescape(string value)
    {
        var result = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
                result.Append(value[i] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => value[i] });
            }
            else
            {
                result.Append(value[i]);
            }
        }

        return result.ToString();
    }
}
