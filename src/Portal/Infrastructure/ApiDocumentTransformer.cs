using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Platform.Portal.Infrastructure;

/// <summary>Describes the API as a whole: its title and the bearer token every endpoint but sign-up expects.</summary>
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
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A personal or organization API token.",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", document)] = [] });
        return Task.CompletedTask;
    }
}
