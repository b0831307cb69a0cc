using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Platform.Portal.Idempotency;

/// <summary>
/// Documents <see cref="IdempotencyMiddleware"/> on every API write that a token may call: the optional
/// <c>Idempotency-Key</c> header, the <c>Idempotent-Replayed</c> header of a replay, and the 409 and 422 it answers.
/// </summary>
public sealed class IdempotencyOperationTransformer : IOpenApiOperationTransformer
{
    private const string ProblemSchema = "ProblemDetails";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        if (description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) != true
            || description.HttpMethod is not { } method || !IdempotencyMiddleware.IsWrite(method)
            || description.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any())
        {
            return Task.CompletedTask;
        }

        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = IdempotencyMiddleware.KeyHeader,
            In = ParameterLocation.Header,
            Required = false,
            Description = "Makes a retry safe: the first request with this key runs; a repeat of the same request (method, path, "
                + "query, body) within 24 hours gets the first answer again, with `Idempotent-Replayed: true`, and changes nothing. "
                + "Keys belong to the user. Server errors (5xx) and 429 are not kept, so those may be retried with the same key. "
                + "1 to 255 printable ASCII characters, e.g. a UUID; otherwise 400.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 255, Pattern = "^[\\x20-\\x7E]+$" },
        });

        operation.Responses ??= [];
        foreach (var (status, response) in operation.Responses.Where(r => r.Key.StartsWith('2')))
        {
            if (response is OpenApiResponse concrete)
            {
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers[IdempotencyMiddleware.ReplayedHeader] = new OpenApiHeader
                {
                    Description = "`true` when this is the kept answer of an earlier request with the same Idempotency-Key.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = ["true"] },
                };
            }
        }

        operation.Responses["409"] = Problem(context, operation.Responses.GetValueOrDefault("409"),
            "A request with this Idempotency-Key is still in progress; retry after `Retry-After` seconds.");
        operation.Responses["422"] = Problem(context, operation.Responses.GetValueOrDefault("422"),
            "This Idempotency-Key was used in the last 24 hours for another request (method, path, query or body).");
        return Task.CompletedTask;
    }

    /// <summary>The answer, or, when the operation already documents this status for reasons of its own, both reasons.</summary>
    private static OpenApiResponse Problem(OpenApiOperationTransformerContext context, IOpenApiResponse? existing, string reason)
    {
        if (existing is OpenApiResponse { Description: { Length: > 0 } described } concrete)
        {
            concrete.Description = $"{described} Or: {reason}";
            return concrete;
        }

        var response = new OpenApiResponse { Description = reason };
        if (context.Document?.Components?.Schemas?.ContainsKey(ProblemSchema) == true)
        {
            response.Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, context.Document) },
            };
        }

        return response;
    }
}
