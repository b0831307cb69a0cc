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
    private const string ProblemSchema = "ProblemDetails";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) != true)
        {
            return Task.CompletedTask;
        }

        var policy = context.Description.ActionDescriptor.EndpointMetadata.OfType<EnableRateLimitingAttribute>().LastOrDefault()?.PolicyName;
        AddProblemSchema(context.Document!);
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
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
                },
            },
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, context.Document) },
            },
        };
        return Task.CompletedTask;
    }

    private static void AddProblemSchema(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas.TryAdd(ProblemSchema, new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "RFC 9457 problem details, as every error of this API.",
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                ["title"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer | JsonSchemaType.Null, Format = "int32" },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                ["trace_id"] = new OpenApiSchema { Type = JsonSchemaType.String },
            },
        });
    }
}
