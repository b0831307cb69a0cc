using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;

namespace Platform.Tests.Support;

/// <summary>A third party on the live hub: connected with an API token, listening to what it is sent.</summary>
public static class LiveHubClients
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>Connects to /hubs/live with the token the client sends.</summary>
    public static async Task<HubConnection> ConnectHubAsync(this PortalFactory portal, HttpClient owner)
    {
        var token = owner.DefaultRequestHeaders.Authorization!.Parameter!;
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(portal.ServerAddress, "/hubs/live"), options => options.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        await hub.StartAsync();
        return hub;
    }

    /// <summary>Every message of that name the hub sends from now on, in order.</summary>
    public static Channel<JsonNode> Listen(this HubConnection hub, string method)
    {
        var received = Channel.CreateUnbounded<JsonNode>();
        hub.On<JsonNode>(method, message => received.Writer.TryWrite(message));
        return received;
    }

    /// <summary>The next message that is wanted, skipping others; fails after <see cref="Wait"/>.</summary>
    public static async Task<JsonNode> NextAsync(this Channel<JsonNode> received, Func<JsonNode, bool> wanted)
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (true)
        {
            var message = await received.Reader.ReadAsync(timeout.Token);
            if (wanted(message))
            {
                return message;
            }
        }
    }
}
