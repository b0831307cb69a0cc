using System.Globalization;

namespace Platform.Domain.Common;

/// <summary>Reads the raw values of a query string's filters, collecting a message per bad field.</summary>
public static class QueryValues
{
    public static Guid? Id(Dictionary<string, string[]> errors, string field, string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (Guid.TryParse(value, out var id))
        {
            return id;
        }

        errors[field] = [$"{field} is an id (a UUID)."];
        return null;
    }

    public static DateTimeOffset? Time(Dictionary<string, string[]> errors, string field, string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time.ToUniversalTime();
        }

        errors[field] = [$"{field} is an ISO-8601 time, such as 2026-11-27T09:00:00Z."];
        return null;
    }

    /// <summary>A window whose end comes before its start names the end as the bad field.</summary>
    public static void Window(Dictionary<string, string[]> errors, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is not null && to is not null && from > to && !errors.ContainsKey("to"))
        {
            errors["to"] = ["to is after from."];
        }
    }
}
