using System.Globalization;

namespace Platform.Domain.Common;

/// <summary>
/// How a client asks for a history list (events, deployments, logs): <c>tail</c> entries per page, newest first,
/// <c>page</c> pages back; or with <c>lastId</c>, only what came after that entry, oldest first.
/// </summary>
public sealed record HistoryQuery(int Tail, int Page, Guid? LastId)
{
    public const int DefaultTail = 20;
    public const int MaxTail = 500;

    /// <summary>So that page × tail stays a valid offset.</summary>
    public const int MaxPage = 1_000_000;

    /// <summary>Reads the raw query values, answering a validation error naming the field on bad input.</summary>
    public static Result<HistoryQuery> Parse(string? tail, string? page, string? lastId)
    {
        var errors = new Dictionary<string, string[]>();
        var size = DefaultTail;
        if (tail is not null && (!int.TryParse(tail, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxTail))
        {
            errors["tail"] = [$"tail is a whole number from 1 to {MaxTail}."];
        }

        var number = 1;
        if (page is not null && (!int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number is < 1 or > MaxPage))
        {
            errors["page"] = [$"page is a whole number from 1 to {MaxPage}."];
        }

        Guid? after = null;
        if (lastId is not null)
        {
            if (Guid.TryParse(lastId, out var id))
            {
                after = id;
            }
            else
            {
                errors["lastId"] = ["lastId is the id of an entry of this list."];
            }
        }

        return errors.Count > 0 ? DomainError.Validation(errors) : new HistoryQuery(size, number, after);
    }
}

/// <summary>A page of history, newest first; for a <c>lastId</c> query only <see cref="Results"/> matters.</summary>
public sealed record HistoryPage<T>(int Page, int PageSize, int Total, IReadOnlyList<T> Results);
