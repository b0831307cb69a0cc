using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Platform.Cli.Connection;

/// <summary>An answer of the API: its body as sent (for --output json) and parsed (for tables and decisions).</summary>
public sealed record ApiAnswer(string Raw, JsonNode? Json)
{
    public JsonNode Body => Json ?? throw new CliException("The portal answered without a body where one was expected.");

    /// <summary>The entries of a list answer (<c>{"results": [...]}</c>).</summary>
    public IEnumerable<JsonNode> Results => Body["results"] is JsonArray results ? results.OfType<JsonNode>() : [];
}

/// <summary>
/// The public JSON API and the live hub, with the token as a Bearer header. A refusal becomes the problem's title,
/// detail and field errors in plain lines; an unreachable portal says which URL could not be reached.
/// </summary>
public sealed class PlatformApi : IDisposable
{
    private readonly HttpClient _http;
    private readonly string? _token;

    private PlatformApi(Uri url, string? token)
    {
        Url = url;
        _token = token;
        _http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(100) };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("platform-cli", typeof(PlatformApi).Assembly.GetName().Version?.ToString(3)));
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public Uri Url { get; }

    /// <summary>The API as the stored login (or PLATFORM_URL and PLATFORM_TOKEN) names it.</summary>
    public static PlatformApi Connect(CliContext context)
    {
        var credentials = new CliConfig(context).Load();
        return new PlatformApi(credentials.Url, credentials.Token);
    }

    /// <summary>The API without a token, to ask for one.</summary>
    public static PlatformApi Anonymous(Uri url) => new(url, null);

    public Task<ApiAnswer> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, path, null, cancellationToken);

    public async Task<ApiAnswer> SendAsync(
        HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, "api/" + path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException exception) when (exception.StatusCode is null)
        {
            throw Unreachable(exception);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"{Url} did not answer within {_http.Timeout.TotalSeconds:0} seconds.");
        }

        using (response)
        {
            var raw = await response.Content.ReadAsStringAsync(cancellationToken);
            var json = Parse(raw);
            if (!response.IsSuccessStatusCode)
            {
                throw new CliException(ProblemLines((int)response.StatusCode, response.ReasonPhrase, json));
            }

            return new ApiAnswer(raw, json);
        }
    }

    /// <summary>A connection to /hubs/live with the same token; started by the caller once its handlers are set.</summary>
    public HubConnection CreateHub() => new HubConnectionBuilder()
        .WithUrl(new Uri(Url, "hubs/live"), options => options.AccessTokenProvider = () => Task.FromResult(_token))
        .WithAutomaticReconnect()
        .Build();

    /// <summary>Starts the hub, with the same plain message as the API when the portal cannot be reached.</summary>
    public async Task StartAsync(HubConnection hub, CancellationToken cancellationToken)
    {
        try
        {
            await hub.StartAsync(cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw exception.StatusCode is { } status
                ? new CliException($"The live hub at {new Uri(Url, "hubs/live")} refused the connection ({(int)status}).")
                : Unreachable(exception);
        }
    }

    /// <summary>Runs a hub method; the hub's refusal ("404: The application was not found.") becomes a plain line.</summary>
    public static async Task InvokeAsync(HubConnection hub, string method, Guid id, CancellationToken cancellationToken)
    {
        try
        {
            await hub.InvokeAsync(method, id, cancellationToken);
        }
        catch (HubException exception)
        {
            throw new CliException(exception.Message.Replace("An unexpected error occurred invoking '" + method + "' on the server. HubException: ", "", StringComparison.Ordinal));
        }
    }

    public void Dispose() => _http.Dispose();

    private CliException Unreachable(HttpRequestException exception)
    {
        var reason = exception.InnerException is SocketException socket ? socket.Message : exception.Message;
        return new CliException($"{Url} could not be reached: {reason}");
    }

    private static JsonNode? Parse(string raw)
    {
        if (raw.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(raw);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A problem (RFC 9457) as one or two lines: status and title, the detail, then one line per field error.</summary>
    public static List<string> ProblemLines(int status, string? reason, JsonNode? problem)
    {
        var title = Text(problem?["title"]) ?? reason ?? "The request failed";
        var lines = new List<string> { $"Error {status}: {title}" };
        if (Text(problem?["detail"]) is { } detail && detail != title)
        {
            lines.Add(detail);
        }

        if (problem?["errors"] is JsonObject errors)
        {
            foreach (var (field, messages) in errors)
            {
                var text = messages is JsonArray list ? string.Join(" ", list.Select(Text)) : Text(messages);
                lines.Add($"  {field}: {text}");
            }
        }

        return lines;
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
