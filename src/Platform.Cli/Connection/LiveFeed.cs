using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;

namespace Platform.Cli.Connection;

/// <summary>A message of the live hub: its name ("deployment", "status", "logs") and its JSON, in the API's shapes.</summary>
public sealed record LiveMessage(string Name, JsonNode? Body);

/// <summary>
/// One application's messages from /hubs/live, in the order they came. Subscribed before the command asks the API
/// for anything, so that nothing that happens after the request is missed.
/// </summary>
public sealed class LiveFeed : IAsyncDisposable
{
    private readonly HubConnection _hub;
    private readonly Channel<LiveMessage> _messages = Channel.CreateUnbounded<LiveMessage>(new UnboundedChannelOptions { SingleReader = true });

    private LiveFeed(HubConnection hub) => _hub = hub;

    public ChannelReader<LiveMessage> Messages => _messages.Reader;

    public static async Task<LiveFeed> OpenAsync(PlatformApi api, Guid applicationId, CancellationToken cancellationToken)
    {
        var feed = new LiveFeed(api.CreateHub());
        foreach (var name in (string[])["deployment", "status", "logs"])
        {
            feed._hub.On<JsonElement>(name, body => feed._messages.Writer.TryWrite(new LiveMessage(name, JsonNode.Parse(body.GetRawText()))));
        }

        try
        {
            await api.StartAsync(feed._hub, cancellationToken);
            await PlatformApi.InvokeAsync(feed._hub, "SubscribeApplication", applicationId, cancellationToken);
            return feed;
        }
        catch
        {
            await feed.DisposeAsync();
            throw;
        }
    }

    /// <summary>The next message, or null when none came within <paramref name="wait"/>.</summary>
    public async Task<LiveMessage?> NextAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        try
        {
            return await _messages.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public ValueTask DisposeAsync() => _hub.DisposeAsync();
}
