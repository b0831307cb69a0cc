using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.Client;

/// <summary>
/// What the generated client (obj/PlatformClient.g.cs) leaves to hand-written code: the API's JSON conventions, and
/// problem details surfacing as one typed exception whatever statuses the document lists for an operation.
/// </summary>
public partial class PlatformClient
{
    private const string ProblemMediaType = "application/problem+json";

    static partial void UpdateJsonSerializerSettings(JsonSerializerOptions settings)
    {
        // The generated enums are named as the API's UPPER_SNAKE values; numbers are never accepted for them.
        settings.Converters.Add(new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false));
        // Fields a caller leaves unset are left out of the request rather than sent as null.
        settings.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
    }

    /// <summary>
    /// An answer in problem details (400, 403, 404, 409, 429…) throws <see cref="PlatformApiException{ProblemDetails}"/>
    /// with its status and title, also for statuses the document does not list for the operation.
    /// </summary>
    partial void ProcessResponse(HttpClient client, HttpResponseMessage response)
    {
        if (response.IsSuccessStatusCode || response.Content.Headers.ContentType?.MediaType != ProblemMediaType)
        {
            return;
        }

        // The hook the generator offers is synchronous; a problem body is small and already on its way.
        var text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        ProblemDetails? problem;
        try
        {
            problem = JsonSerializer.Deserialize<ProblemDetails>(text, JsonSerializerSettings);
        }
        catch (JsonException)
        {
            return;
        }

        if (problem is null)
        {
            return;
        }

        var headers = new Dictionary<string, IEnumerable<string>>();
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            headers[name] = values;
        }

        throw new PlatformApiException<ProblemDetails>(
            problem.Title ?? $"The API answered {(int)response.StatusCode}.", (int)response.StatusCode, text, headers, problem, null);
    }
}
