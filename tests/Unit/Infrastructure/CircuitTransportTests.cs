using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Platform.Tests.Support;

namespace Platform.Tests.Infrastructure;

/// <summary>
/// A circuit's WebSocket carries an application's log lines and names beside the secrets a user reveals: compressed
/// together, the frames' sizes would tell the secret, and every open circuit would keep zlib's state.
/// </summary>
public sealed class CircuitTransportTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task CircuitWebSocket_DeclinesPerMessageCompression()
    {
        using var client = portal.CreateAnonymousClient();
        using var negotiation = await client.PostAsync("/_blazor/negotiate?negotiateVersion=1", content: null);
        Assert.Equal(HttpStatusCode.OK, negotiation.StatusCode);
        var connectionToken = (await negotiation.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("connectionToken").GetString();

        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        var address = new UriBuilder(portal.ServerAddress) { Scheme = "ws", Path = "/_blazor", Query = $"id={connectionToken}" }.Uri;
        await socket.ConnectAsync(address, CancellationToken.None);

        Assert.Equal(HttpStatusCode.SwitchingProtocols, socket.HttpStatusCode);
        Assert.False(socket.HttpResponseHeaders!.ContainsKey("Sec-WebSocket-Extensions"));
    }
}
