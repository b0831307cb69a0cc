using System.Globalization;

namespace Platform.Domain.Common;

public static class Durations
{
    /// <summary>A span as people say it, rounded up to its largest whole unit: "45 seconds", "1 minute", "3 days".</summary>
    public static string Spoken(TimeSpan span) =>
        span.TotalDays >= 1 && span.TotalDays % 1 == 0 ? Plural((int)span.TotalDays, "day")
        : span.TotalHours >= 1 && span.TotalHours % 1 == 0 ? Plural((int)span.TotalHours, "hour")
        : span.TotalMinutes >= 1 ? Plural((int)Math.Ceiling(span.TotalMinutes), "minute")
        : Plural(Math.Max(1, (int)Math.Ceiling(span.TotalSeconds)), "second");

    private static string Plural(int count, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {unit}{(count == 1 ? "" : "s")}");
}
