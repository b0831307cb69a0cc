using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;

namespace Platform.Portal.Infrastructure.RateLimits;

/// <summary>
/// Documents the 429 that <see cref="RateLimiting"/> answers: on every API operation (the per-token limit), saying
/// so when the operation also has a per-address limit of its own.
/// </summary>
public sealed class RateLimitOperationTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) != true)
        {
            return Task.CompletedTask;
        }

        var policy = context.Description.ActionDescriptor.EndpointMetadata.OfType<EnableRateLimitingAttribute>().LastOrDefault()?.PolicyName;
        operation.Responses ??= [];
        operation.Responses["429"] = new OpenApiResponse
        {
            Description = policy is null
                ? "Too many requests with this API token (or, without one, from this address). Wait `Retry-After` seconds."
                : $"Too many requests from this client address (the `{policy}` limit), or with this token. Wait `Retry-After` seconds.",
            Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Retry-After"] = new OpenApiHeader
                {
                    Description = "Seconds to wait before trying again.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = Bounds.Number(int.MaxValue) },
                },
            },
            Content = ProblemSchemas.Content(context.Document!),
        };
        return Task.CompletedTask;
    }
}
