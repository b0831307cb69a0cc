using Microsoft.AspNetCore.Http.HttpResults;
using Platform.Domain.Common;

namespace Platform.Portal.Infrastructure.Problems;

/// <summary>The one place where a domain error becomes an RFC 9457 answer.</summary>
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
            _ => StatusCodes.Status400BadRequest,
        };

        if (error.Errors is { Count: > 0 } errors)
        {
            return TypedResults.Problem(new HttpValidationProblemDetails(errors.ToDictionary())
            {
                Status = status,
                Title = error.Message,
            });
        }

        return TypedResults.Problem(statusCode: status, detail: error.Message);
    }
}
