using System.Globalization;
using System.Text;

namespace Platform.Cli.Output;

/// <summary>
/// What the client prints comes from a portal, and through it from applications (names, log lines, problem texts):
/// none of it may drive the terminal. Control characters (escape sequences that move the cursor, set the title or the
/// clipboard, a carriage return that overwrites a line) and bidirectional overrides are shown as <c>\u001B</c>-style
/// escapes instead. Newlines and tabs stay, except inside a value written as one line.
/// </summary>
public static class TerminalText
{
    /// <summary>The text with every character a terminal would act on escaped; <paramref name="keepNewlines"/> keeps '\n'.</summary>
    public static string Clean(string? text, bool keepNewlines = false)
    {
        if (string.IsNullOrEmpty(text) || !text.Any(c => IsUnsafe(c, keepNewlines)))
        {
            return text ?? "";
        }

        var clean = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            Append(clean, c, keepNewlines);
        }

        return clean.ToString();
    }

    private static void Append(StringBuilder clean, char c, bool keepNewlines)
    {
        if (IsUnsafe(c, keepNewlines))
        {
            clean.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
        }
        else
        {
            clean.Append(c);
        }
    }

    internal static bool IsUnsafe(char c, bool keepNewlines) =>
        c switch
        {
            '\t' => false,
            '\n' => !keepNewlines,
            _ => char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069',
        };
}

/// <summary>
/// A writer that passes text on with <see cref="TerminalText.Clean"/> applied: the client's own line breaks (WriteLine)
/// stay, anything else a terminal would act on is escaped. The client's standard output and error go through one.
/// </summary>
public sealed class TerminalWriter(TextWriter inner) : TextWriter
{
    public override Encoding Encoding => inner.Encoding;

    public override IFormatProvider FormatProvider => inner.FormatProvider;

    public override void Write(char value)
    {
        if (TerminalText.IsUnsafe(value, keepNewlines: true))
        {
            inner.Write(TerminalText.Clean(value.ToString(), keepNewlines: true));
        }
        else
        {
            inner.Write(value);
        }
    }

    public override void Write(string? value) => inner.Write(TerminalText.Clean(value, keepNewlines: true));

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void WriteLine() => inner.WriteLine();

    public override void WriteLine(string? value) => inner.WriteLine(TerminalText.Clean(value, keepNewlines: true));

    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync()
    {
        WriteLine();
        return Task.CompletedTask;
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync() => inner.FlushAsync();
}
