using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Platform.Portal.Infrastructure.OpenApi;

/// <summary>
/// Completes every API operation by convention: its security (Bearer or Token, unless anonymous), the query
/// parameters its handler reads itself (<see cref="QueryParameter"/>), and every error it can answer, each as problem
/// details — 400 when it takes a body or a query, 401 when it needs a token, 403 when it changes something with one, 401/402/403/409 as the endpoint declares
/// (<see cref="ApiDescriptions"/>), 404 when its path names a resource, 413 when it takes a body (the 1 MiB limit of
/// <see cref="Problems.RequestBodyLimit"/>), 500 always. The 429 comes from <see cref="RateLimits.RateLimitOperationTransformer"/>.
/// </summary>
public sealed class ApiResponsesTransformer : IOpenApiOperationTransformer
{
    public const string BearerScheme = "Bearer";
    public const string TokenScheme = "Token";

    private static readonly Dictionary<int, string> Descriptions = new()
    {
        [400] = "The request is malformed, or a field breaks its rule: `errors` names each field with its messages.",
        [401] = "Not authenticated: no valid API token (send `Authorization: Bearer <token>` or `Token <token>`), or on sign-in a wrong email or password.",
        [402] = "The organization's plan does not cover it (e.g. a deployment over the monthly quota).",
        [403] = "The caller's role, or kind of token, does not allow this.",
        [404] = "No such resource among the caller's organizations (another organization's ids answer 404 too).",
        [409] = "The request conflicts with the resource's current state.",
        [413] = "The request body is larger than 1 MiB.",
        [500] = "An unexpected error; `trace_id` finds it in the portal's log.",
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        if (description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) != true)
        {
            return Task.CompletedTask;
        }

        var document = context.Document!;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        AddQueryParameters(operation, metadata.OfType<QueryParameter>());

        var authorized = !metadata.OfType<IAllowAnonymous>().Any() && metadata.OfType<IAuthorizeData>().Any();
        var takesBody = operation.RequestBody is not null || description.ParameterDescriptions.Any(p => p.Source == BindingSource.Body);
        var takesQuery = operation.Parameters?.Any(p => p.In == ParameterLocation.Query) == true;

        var errors = new SortedSet<int>(description.SupportedResponseTypes.Select(r => r.StatusCode).Where(Descriptions.ContainsKey)) { 500 };
        if (takesBody || takesQuery)
        {
            errors.Add(400);
        }

        if (authorized)
        {
            errors.Add(401);
            // Every change in an organization needs a permission above reading it (RolePolicy): a role may lack it.
            if (description.HttpMethod is not "GET")
            {
                errors.Add(403);
            }
        }

        if (description.RelativePath.Contains('{', StringComparison.Ordinal))
        {
            errors.Add(404);
        }

        if (takesBody)
        {
            errors.Add(413);
        }

        operation.Responses ??= [];
        foreach (var status in errors)
        {
            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = Descriptions[status],
                Content = ProblemSchemas.Content(document, status == 400 ? ProblemSchemas.Validation : ProblemSchemas.Problem, status),
            };
        }

        // In status order, whichever transformer added a response.
        var ordered = operation.Responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        operation.Responses.Clear();
        foreach (var (status, response) in ordered)
        {
            operation.Responses[status] = response;
        }

        // Anonymous: one empty requirement, OpenAPI's "no credentials needed".
        operation.Security = authorized
            ? new List<OpenApiSecurityRequirement>
            {
                new() { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] },
                new() { [new OpenApiSecuritySchemeReference(TokenScheme, document)] = [] },
            }
            : new List<OpenApiSecurityRequirement> { new() };
        return Task.CompletedTask;
    }

    private static void AddQueryParameters(OpenApiOperation operation, IEnumerable<QueryParameter> parameters)
    {
        foreach (var parameter in parameters)
        {
            operation.Parameters ??= [];
            if (operation.Parameters.Any(p => p.Name == parameter.Name && p.In == ParameterLocation.Query))
            {
                continue;
            }

            operation.Parameters.Add(new OpenApiParameter
            {
                Name = parameter.Name,
                In = ParameterLocation.Query,
                Description = parameter.Description,
                Schema = parameter.Schema(),
            });
        }
    }
}
