using Platform.Domain.Common;

namespace Platform.Portal.Infrastructure.Problems;

/// <summary>The one place where a domain error becomes an RFC 9457 answer, and results become HTTP answers.</summary>
public static class DomainErrorResults
{
    public static ProblemHttpResult ToProblem(this DomainError error)
    {
        var status = error.Kind switch
        {
            ErrorKind.Validation => StatusCodes.Status400BadRequest,
            ErrorKind.Unauthorized => StatusCodes.Status401Unauthorized,
            ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
            ErrorKind.NotFound => StatusCodes.Status404NotFound,
            ErrorKind.Conflict => StatusCodes.Status409Conflict,
            ErrorKind.PaymentRequired => StatusCodes.Status402PaymentRequired,
            ErrorKind.TooManyAttempts => StatusCodes.Status429TooManyRequests,
            _ => StatusCodes.Status400BadRequest,
        };

        if (error.Errors is { Count: > 0 } errors)
        {
            return TypedResults.Problem(new HttpValidationProblemDetails(errors.ToDictionary())
            {
                Status = status,
                Title = error.Message,
                // A conflict or a limit on one field says what happened in the detail too, as when no field is named.
                Detail = error.Kind == ErrorKind.Validation ? null : error.Message,
            });
        }

        return TypedResults.Problem(statusCode: status, detail: error.Message);
    }

    public static Results<Ok<TResponse>, ProblemHttpResult> ToOk<T, TResponse>(this Result<T> result, Func<T, TResponse> map) =>
        result.IsSuccess ? TypedResults.Ok(map(result.Value)) : result.Error!.ToProblem();

    public static Results<Created<TResponse>, ProblemHttpResult> ToCreated<T, TResponse>(this Result<T> result, Func<T, TResponse> map, Func<T, string>? location = null) =>
        result.IsSuccess ? TypedResults.Created(location?.Invoke(result.Value), map(result.Value)) : result.Error!.ToProblem();

    public static Results<Accepted<TResponse>, ProblemHttpResult> ToAccepted<T, TResponse>(this Result<T> result, Func<T, TResponse> map, Func<T, string>? location = null) =>
        result.IsSuccess ? TypedResults.Accepted(location?.Invoke(result.Value), map(result.Value)) : result.Error!.ToProblem();

    public static Results<NoContent, ProblemHttpResult> ToNoContent<T>(this Result<T> result) =>
        result.IsSuccess ? TypedResults.NoContent() : result.Error!.ToProblem();
}

/// <summary>The draft's list envelope: <c>{"results": [...]}</c>.</summary>
public sealed record ListResponse<T>(IReadOnlyList<T> Results);
