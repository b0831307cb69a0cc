using Microsoft.OpenApi;

namespace Platform.Portal.Infrastructure.OpenApi;

/// <summary>The two error bodies of the API, as components: RFC 9457 problem details, and the 400's with its <c>errors</c> map.</summary>
public static class ProblemSchemas
{
    public const string Problem = "ProblemDetails";
    public const string Validation = "ValidationProblemDetails";
    public const string MediaType = "application/problem+json";

    /// <summary>
    /// A problem+json body referring to <paramref name="schema"/>, which is added to the document if missing, with the
    /// shared example of its <paramref name="status"/> when there is one (<see cref="ApiExamples.Problems"/>).
    /// </summary>
    public static Dictionary<string, OpenApiMediaType> Content(OpenApiDocument document, string schema = Problem, int? status = null)
    {
        Add(document);
        return new()
        {
            [MediaType] = new OpenApiMediaType
            {
                Schema = new OpenApiSchemaReference(schema, document),
                Examples = status is { } code ? ApiExamples.ProblemExamples(document, code) : null,
            },
        };
    }

    private static void Add(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[Problem] = Schema(withErrors: false);
        document.Components.Schemas[Validation] = Schema(withErrors: true);
    }

    private static OpenApiSchema Schema(bool withErrors)
    {
        var properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = Text("A URI naming the kind of problem.", "uri"),
            ["title"] = Text("A short summary of the kind of problem."),
            ["status"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Integer,
                Format = "int32",
                Minimum = Bounds.Number(400),
                Maximum = Bounds.Number(599),
                Description = "The HTTP status code.",
            },
            ["detail"] = Text("What went wrong in this request, for people."),
            ["instance"] = Text("The request's path."),
            ["trace_id"] = Text("Identifies the request in the portal's log."),
        };
        if (withErrors)
        {
            properties["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "Each field in error (by its JSON name, e.g. `git_repository.url`) with its messages.",
                MaxProperties = Bounds.Properties,
                AdditionalProperties = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array,
                    MaxItems = Bounds.Properties,
                    Items = Text("A message for people."),
                },
            };
        }

        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = withErrors
                ? "RFC 9457 problem details with the fields in error."
                : "RFC 9457 problem details, as every error of this API.",
            Properties = properties,
        };
    }

    private static OpenApiSchema Text(string description, string? format = null) =>
        new() { Type = JsonSchemaType.String, MaxLength = Bounds.Text, Format = format, Description = description };
}
