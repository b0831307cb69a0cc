using Platform.Domain.Common;

namespace Platform.Portal.Infrastructure.Problems;

/// <summary>A history page as the draft shapes it: with <c>lastId</c> only <c>results</c>; otherwise paged.</summary>
public sealed record HistoryResponse<T>(int Page, int PageSize, int Total, IReadOnlyList<T> Results);

public static class HistoryResults
{
    /// <summary>Parses tail/page/lastId, lists, and answers the draft's shape or a 400 naming the bad parameter.</summary>
    public static async Task<Results<Ok<HistoryResponse<TResponse>>, Ok<ListResponse<TResponse>>, ProblemHttpResult>> ListAsync<TView, TResponse>(
        HttpRequest request, Func<HistoryQuery, Task<Result<HistoryPage<TView>>>> list, Func<TView, TResponse> map)
    {
        var query = HistoryQuery.Parse(request.Query["tail"], request.Query["page"], request.Query["lastId"]);
        if (!query.IsSuccess)
        {
            return query.Error!.ToProblem();
        }

        var page = await list(query.Value);
        if (!page.IsSuccess)
        {
            return page.Error!.ToProblem();
        }

        var results = page.Value.Results.Select(map).ToList();
        return query.Value.LastId is null
            ? TypedResults.Ok(new HistoryResponse<TResponse>(page.Value.Page, page.Value.PageSize, page.Value.Total, results))
            : TypedResults.Ok(new ListResponse<TResponse>(results));
    }
}
