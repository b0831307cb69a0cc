using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Platform.Portal.Infrastructure.Problems;

/// <summary>
/// Turns every exception into problem details without a stack trace: malformed requests keep their own status
/// (400, 413, …) and a message about the input; anything else is a 500 with only a trace id to quote.
/// </summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // The pages' handler sets the error page's path before asking; the path the request came with is in the feature.
        var path = httpContext.Features.Get<IExceptionHandlerPathFeature>()?.Path ?? httpContext.Request.Path;
        if (!path.StartsWith("/api/", StringComparison.Ordinal) && path != "/api" && exception is not BadHttpRequestException)
        {
            // A page's failure: the exception handler middleware logs it and re-executes the portal's error page, which shows the trace id.
            return false;
        }

        ProblemDetails problem;
        if (exception is DbUpdateException { InnerException: PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } })
        {
            // Two requests raced for the same name; the database kept one. The service checks first, so this is rare.
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Detail = "Something with the same name was created at the same moment. Reload, then choose another name.",
            };
        }
        else if (exception is BadHttpRequestException badRequest)
        {
            problem = new ProblemDetails
            {
                Status = badRequest.StatusCode,
                Detail = badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? $"The request body is larger than the limit of {RequestBodyLimit.MaxBytes / 1024 / 1024} MiB."
                    : DescribeBadRequest(badRequest),
            };
        }
        else
        {
            logger.LogError(exception, "Unhandled exception on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status500InternalServerError,
                Detail = "Something went wrong on our side. Quote the trace id when you report it.",
            };
        }

        httpContext.Response.StatusCode = problem.Status.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    private static string DescribeBadRequest(BadHttpRequestException exception) => exception.InnerException switch
    {
        // System.Text.Json says where the body went wrong ("… Path: $.port | LineNumber: 0 | BytePositionInLine: 12.").
        JsonException json when json.Path is not null => $"The request body is not valid JSON for this endpoint at {json.Path}.",
        JsonException => "The request body is not valid JSON.",
        _ => exception.Message,
    };
}
