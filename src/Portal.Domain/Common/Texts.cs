namespace Platform.Domain.Common;

public static class Texts
{
    /// <summary>The text cut to at most <paramref name="max"/> characters, never between the two halves of a surrogate pair.</summary>
    public static string Cut(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var length = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return text[..length];
    }
}
