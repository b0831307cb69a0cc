using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Platform.Portal.Infrastructure;

/// <summary>
/// Describes the API as a whole: its title, the two ways to send a token (which every operation but sign-up and
/// sign-in names, see <see cref="ApiResponsesTransformer"/>), a relative server, and its tags in a stable order.
/// </summary>
public sealed class ApiDocumentTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Platform API",
            Version = "v1",
            Description = "Organizations, projects, environments, applications and databases. Authenticate with "
                + "`Authorization: Bearer <token>` (or `Token <token>`); get a token from `POST /api/auth/token`.",
        };

        // Relative: the portal that serves the document is the one it describes (not the address a request came in on).
        document.Servers =
        [
            new OpenApiServer
            {
                Url = "/",
                Description = "The portal serving this document (production, or whichever environment it runs in)",
                Extensions = new Dictionary<string, IOpenApiExtension> { ["x-internal"] = new JsonNodeExtension(JsonValue.Create(false)) },
            },
        ];

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiResponsesTransformer.BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A personal or organization API token: `Authorization: Bearer <token>`.",
        };
        document.Components.SecuritySchemes[ApiResponsesTransformer.TokenScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "Authorization",
            Description = "The same token in the draft's form: `Authorization: Token <token>`.",
        };
        document.Security = null;

        var tags = document.Paths.Values
            .SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>())
            .SelectMany(o => o.Tags ?? new HashSet<OpenApiTagReference>())
            .Select(t => t.Name)
            .OfType<string>()
            .Distinct()
            .Order(StringComparer.Ordinal);
        document.Tags = new HashSet<OpenApiTag>(tags.Select(name => new OpenApiTag { Name = name, Description = $"The draft's {name} section." }));
        return Task.CompletedTask;
    }
}
