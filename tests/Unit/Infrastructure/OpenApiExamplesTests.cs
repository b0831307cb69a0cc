using System.Text.Json.Nodes;
using Json.Schema;
using Platform.Portal.Infrastructure.OpenApi;
using Platform.Tests.Support;

namespace Platform.Tests.Infrastructure;

/// <summary>
/// The served document's examples (ApiExamples: Examples/*.json, the draft's bodies) are valid against the very
/// schemas they illustrate, strictly: every object schema is closed (no property the schema does not name) and formats
/// are checked; and every example file names operations that exist, each of which shows it.
/// </summary>
public sealed class OpenApiExamplesTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private static readonly Uri DocumentUri = new("https://platform.example/openapi/v1.json");

    [Fact]
    public async Task OpenApiExamples_ValidateAgainstTheirSchemas()
    {
        var document = await DocumentAsync();
        var strict = Strict(document);
        var options = new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true };
        options.SchemaRegistry.Register(new JsonNodeBaseDocument(strict, DocumentUri));

        var failures = new List<string>();
        var checkedExamples = 0;
        foreach (var (where, schema, example) in Examples(document, strict))
        {
            checkedExamples++;
            var result = JsonSchema.FromText(schema.ToJsonString()).Evaluate(example, options);
            if (!result.IsValid)
            {
                var errors = result.Details.Where(d => d.HasErrors).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
                failures.Add($"{where}: {string.Join("; ", errors)}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // Every operation example and the three shared problem examples (on every 400, 404 and 409) were seen.
        Assert.True(checkedExamples > ApiExamples.Operations.Count + 3, $"only {checkedExamples} examples in the document");
    }

    [Fact]
    public async Task OpenApiExamples_NameExistingOperations()
    {
        var operations = Operations(await DocumentAsync()).ToDictionary(o => o.Operation["operationId"]!.GetValue<string>(), o => o.Operation);

        foreach (var (operationId, example) in ApiExamples.Operations)
        {
            Assert.True(operations.TryGetValue(operationId, out var operation), $"{operationId} names no operation of the document");
            if (example.Request is not null)
            {
                Assert.True(JsonMedia(operation["requestBody"])?["example"] is not null, $"{operationId}: its request example is not shown");
            }

            if (example.Response is not null)
            {
                var success = operation["responses"]!.AsObject().First(r => r.Key.StartsWith('2')).Value;
                Assert.True(JsonMedia(success)?["example"] is not null, $"{operationId}: its response example is not shown");
            }
        }
    }

    private async Task<JsonNode> DocumentAsync() =>
        JsonNode.Parse(await portal.CreateAnonymousClient().GetStringAsync("/openapi/v1.json"))!;

    private static IEnumerable<(string Where, JsonObject Operation)> Operations(JsonNode document) =>
        from path in document["paths"]!.AsObject()
        from method in path.Value!.AsObject()
        where method.Value is JsonObject { } o && o["operationId"] is not null
        select ($"{method.Key.ToUpperInvariant()} {path.Key}", method.Value!.AsObject());

    private static JsonNode? JsonMedia(JsonNode? bodyOrResponse) => bodyOrResponse?["content"]?["application/json"];

    /// <summary>Every example of a request body or response, with the (strict, absolutely referenced) schema it illustrates.</summary>
    private static IEnumerable<(string Where, JsonNode Schema, JsonNode? Example)> Examples(JsonNode document, JsonNode strict)
    {
        foreach (var (where, operation) in Operations(document))
        {
            var bodies = new List<(string, JsonNode?)> { ("request", operation["requestBody"]) };
            bodies.AddRange(operation["responses"]!.AsObject().Select(r => (r.Key, r.Value)));
            foreach (var (name, body) in bodies)
            {
                foreach (var (mediaType, media) in body?["content"]?.AsObject() ?? [])
                {
                    var schema = Absolute(media!["schema"]!.DeepClone());
                    Close(schema);
                    if (media["example"] is { } example)
                    {
                        yield return ($"{where} {name} {mediaType}", schema, example);
                    }

                    foreach (var (exampleName, named) in media["examples"]?.AsObject() ?? [])
                    {
                        var resolved = named!["$ref"] is { } reference
                            ? strict["components"]!["examples"]![reference.GetValue<string>().Split('/')[^1]]!
                            : named;
                        yield return ($"{where} {name} {mediaType} {exampleName}", schema, resolved["value"]);
                    }
                }
            }
        }
    }

    /// <summary>The document with every reference absolute (to <see cref="DocumentUri"/>) and every object schema closed.</summary>
    private static JsonNode Strict(JsonNode document)
    {
        var strict = Absolute(document.DeepClone());
        Close(strict);
        return strict;
    }

    private static JsonNode Absolute(JsonNode node)
    {
        foreach (var child in Descendants(node).OfType<JsonObject>().ToList())
        {
            if (child["$ref"] is JsonValue reference && reference.GetValue<string>().StartsWith('#'))
            {
                child["$ref"] = DocumentUri + reference.GetValue<string>();
            }
        }

        return node;
    }

    /// <summary>An object schema that names its properties and says nothing of others allows no others.</summary>
    private static void Close(JsonNode node)
    {
        foreach (var schema in Descendants(node).OfType<JsonObject>().Where(o => o["properties"] is JsonObject && !o.ContainsKey("additionalProperties")).ToList())
        {
            schema["additionalProperties"] = false;
        }
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        var children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>().SelectMany(Descendants))
        {
            yield return child;
        }
    }
}
