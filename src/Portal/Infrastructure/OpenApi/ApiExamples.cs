using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Platform.Portal.Infrastructure.OpenApi;

/// <summary>
/// The examples of the OpenAPI document, taken from the API draft: data in Examples/&lt;tag&gt;.json (embedded), each
/// keyed by operationId with a <c>request</c> and/or a <c>response</c> (the success body), or <c>same_as</c> another
/// operationId whose examples it shares. Examples/problems.json holds the shared problem-details examples by status,
/// attached to every 400, 404 and 409 (see <see cref="ProblemSchemas.Content"/>).
/// </summary>
public sealed class ApiExamples : IOpenApiOperationTransformer
{
    private const string Prefix = "OpenApiExamples/";
    private const string ProblemsFile = "problems.json";
    private const string JsonMediaType = "application/json";

    /// <summary>The operations' examples by operationId, <c>same_as</c> resolved.</summary>
    public static IReadOnlyDictionary<string, OperationExample> Operations { get; } = LoadOperations();

    /// <summary>The problem-details examples by HTTP status: their component name, summary and body.</summary>
    public static IReadOnlyDictionary<int, ProblemExample> Problems { get; } = LoadProblems();

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.OperationId is null || !Operations.TryGetValue(operation.OperationId, out var example))
        {
            return Task.CompletedTask;
        }

        if (example.Request is not null && operation.RequestBody?.Content?.TryGetValue(JsonMediaType, out var request) == true)
        {
            request.Example = example.Request.DeepClone();
        }

        var success = operation.Responses?.Where(r => r.Key.StartsWith('2')).Select(r => r.Value).FirstOrDefault();
        if (example.Response is not null && success?.Content?.TryGetValue(JsonMediaType, out var response) == true)
        {
            response.Example = example.Response.DeepClone();
        }

        return Task.CompletedTask;
    }

    /// <summary>The shared example of a problem answered with <paramref name="status"/>, registered in the document's components.</summary>
    public static Dictionary<string, IOpenApiExample>? ProblemExamples(OpenApiDocument document, int status)
    {
        if (!Problems.TryGetValue(status, out var problem))
        {
            return null;
        }

        document.Components ??= new OpenApiComponents();
        document.Components.Examples ??= new Dictionary<string, IOpenApiExample>();
        document.Components.Examples[problem.Name] = new OpenApiExample { Summary = problem.Summary, Value = problem.Value.DeepClone() };
        return new() { [problem.Name] = new OpenApiExampleReference(problem.Name, document) };
    }

    private static IEnumerable<(string File, JsonObject Content)> Files()
    {
        var assembly = typeof(ApiExamples).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            var content = JsonNode.Parse(stream) as JsonObject
                ?? throw new InvalidOperationException($"{name}: an object was expected");
            yield return (name[Prefix.Length..], content);
        }
    }

    private static Dictionary<string, OperationExample> LoadOperations()
    {
        var entries = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var (file, content) in Files().Where(f => f.File != ProblemsFile))
        {
            foreach (var (operationId, entry) in content)
            {
                if (entry is not JsonObject body || !entries.TryAdd(operationId, body))
                {
                    throw new InvalidOperationException($"{file}: {operationId} is not an object, or is named twice");
                }
            }
        }

        return entries.ToDictionary(e => e.Key, e =>
        {
            var entry = e.Value["same_as"] is { } sameAs ? entries[sameAs.GetValue<string>()] : e.Value;
            return new OperationExample(entry["request"], entry["response"]);
        }, StringComparer.Ordinal);
    }

    private static Dictionary<int, ProblemExample> LoadProblems() =>
        Files().Single(f => f.File == ProblemsFile).Content.ToDictionary(
            p => int.Parse(p.Key, System.Globalization.CultureInfo.InvariantCulture),
            p => new ProblemExample(p.Value!["name"]!.GetValue<string>(), p.Value["summary"]!.GetValue<string>(), p.Value["value"]!));
}

/// <summary>An operation's example request body and success response body (either may be absent).</summary>
public sealed record OperationExample(JsonNode? Request, JsonNode? Response);

/// <summary>A problem-details example: its name under components/examples, a summary and the body.</summary>
public sealed record ProblemExample(string Name, string Summary, JsonNode Value);
