using System.Linq.Expressions;
using Platform.Domain.Common;

namespace Platform.Domain.Logs;

/// <summary>
/// Narrows a service's log lines: to one deployment, one instance, a text, a stream, a time window. One expression
/// serves the database (pages, downloads) and the lines pushed live, so both agree on what matches.
/// </summary>
public sealed record LogFilter(Guid? DeploymentId, string? Instance, string? Text, LogStream? Stream, DateTimeOffset? From, DateTimeOffset? To)
{
    public const int MaxTextLength = 200;
    public const int MaxInstanceLength = 64;

    public static readonly LogFilter None = new(null, null, null, null, null, null);

    public bool IsEmpty => DeploymentId is null && Instance is null && Text is null && Stream is null && From is null && To is null;

    /// <summary>The stream as the URL and the download write it: <c>stdout</c>, <c>stderr</c>, <c>system</c>.</summary>
    public static string StreamName(LogStream stream) => stream.ToString().ToLowerInvariant();

    /// <summary>Reads the raw query values (blank ones mean no filter), answering a validation error naming the field on bad input.</summary>
    public static Result<LogFilter> Parse(string? deployment, string? instance, string? q, string? stream, string? from, string? to)
    {
        var errors = new Dictionary<string, string[]>();
        var deploymentId = QueryValues.Id(errors, "deployment", Blank(deployment));
        instance = Blank(instance);
        if (instance is { Length: > MaxInstanceLength })
        {
            errors["instance"] = [$"instance is at most {MaxInstanceLength} characters."];
        }

        var text = Blank(q);
        if (text is { Length: > MaxTextLength })
        {
            errors["q"] = [$"q is at most {MaxTextLength} characters."];
        }

        LogStream? parsed = null;
        if (Blank(stream) is { } name)
        {
            var streams = Enum.GetValues<LogStream>();
            parsed = streams.Where(s => string.Equals(StreamName(s), name, StringComparison.OrdinalIgnoreCase)).Select(s => (LogStream?)s).FirstOrDefault();
            if (parsed is null)
            {
                errors["stream"] = [$"stream is one of {string.Join(", ", streams.Select(StreamName))}."];
            }
        }

        var start = QueryValues.Time(errors, "from", Blank(from));
        var end = QueryValues.Time(errors, "to", Blank(to));
        QueryValues.Window(errors, start, end);
        return errors.Count > 0 ? DomainError.Validation(errors) : new LogFilter(deploymentId, instance, text, parsed, start, end);
    }

    /// <summary>Whether a line matches, as SQL or in memory (text case-insensitively).</summary>
    public Expression<Func<LogLine, bool>> Predicate()
    {
        var deployment = DeploymentId;
        var instance = Instance;
        var text = Text?.ToLowerInvariant();
        var stream = Stream;
        var from = From;
        var to = To;
        // ToLower() is what EF Core turns into SQL's lower(); the culture-aware overloads have no translation.
#pragma warning disable CA1304, CA1311, CA1862
        return l => (deployment == null || l.DeploymentId == deployment)
            && (instance == null || l.Instance == instance)
            && (text == null || l.Message.ToLower().Contains(text))
            && (stream == null || l.Stream == stream)
            && (from == null || l.CreatedAt >= from)
            && (to == null || l.CreatedAt <= to);
#pragma warning restore CA1304, CA1311, CA1862
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
