using System.Globalization;
using Platform.Domain.Common;
using Platform.Domain.Logs;

namespace Platform.Portal.Logs;

/// <summary>
/// The log filters as query parameters, the same names on the logs tab's URL, the download and the API:
/// <c>deployment</c>, <c>instance</c>, <c>q</c>, <c>stream</c>, <c>from</c>, <c>to</c> (ISO 8601 UTC).
/// </summary>
public static class LogQuery
{
    public const string Deployment = "deployment";
    public const string Instance = "instance";
    public const string Text = "q";
    public const string Stream = "stream";
    public const string From = "from";
    public const string To = "to";

    public static Result<LogFilter> Parse(IQueryCollection query) =>
        LogFilter.Parse(query[Deployment], query[Instance], query[Text], query[Stream], query[From], query[To]);

    public static Result<LogFilter> Parse(IReadOnlyDictionary<string, string?> query) =>
        LogFilter.Parse(query.GetValueOrDefault(Deployment), query.GetValueOrDefault(Instance), query.GetValueOrDefault(Text),
            query.GetValueOrDefault(Stream), query.GetValueOrDefault(From), query.GetValueOrDefault(To));

    /// <summary>The filter as query values; a filter left unset is null, which drops the parameter from a URL.</summary>
    public static Dictionary<string, object?> Values(LogFilter filter) => new()
    {
        [Deployment] = filter.DeploymentId?.ToString(),
        [Instance] = filter.Instance,
        [Text] = filter.Text,
        [Stream] = filter.Stream is { } stream ? LogFilter.StreamName(stream) : null,
        [From] = Time(filter.From),
        [To] = Time(filter.To),
    };

    public static string Time(DateTimeOffset? at) =>
        at?.UtcDateTime.ToString(at.Value.Millisecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)!;

    /// <summary>The download of the application's lines that match the filter.</summary>
    public static string DownloadPath(Guid applicationId, LogFilter filter)
    {
        var values = Values(filter).Where(v => v.Value is not null).Select(v => $"{v.Key}={Uri.EscapeDataString((string)v.Value!)}");
        var query = string.Join('&', values);
        return $"/application/{applicationId}/logs.txt{(query.Length > 0 ? "?" + query : "")}";
    }
}
