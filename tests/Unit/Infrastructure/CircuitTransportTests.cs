using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Platform.Tests.Support;

namespace Platform.Tests.Infrastructure;

/// <summary>
/// A circuit runs as the browser's signed-in user and carries an application's log lines and names beside the secrets
/// that user reveals: only the portal's own pages may start one, and its frames are never compressed (compressed
/// together, their sizes would tell the secret, and every open circuit would keep zlib's state).
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

    [Theory]
    [InlineData("https://evil.example", "/_blazor", "")]
    [InlineData("http://hello-0123abcd.apps.localhost", "/_blazor", "")]
    [InlineData("null", "/_blazor", "")]
    [InlineData("https://evil.example", "/_blazor", "&access_token=plt_anything")]
    [InlineData("https://evil.example", "/_BLAZOR", "")]
    public async Task SignedInCircuit_FromAnotherOrigin_IsRefused(string origin, string path, string query)
    {
        var c = await Catalogue.CreateAsync(portal, "circuit-origin");
        var browser = await portal.SignedInClientAsync(c.OwnerUser);

        var status = await browser.NegotiateFromAsync(path, origin, query);

        Assert.Equal(HttpStatusCode.Forbidden, status);
    }

    [Fact]
    public async Task CircuitWebSocket_FromAnotherOrigin_IsRefusedAtTheUpgrade()
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Origin", "https://evil.example");
        var address = new UriBuilder(portal.ServerAddress) { Scheme = "ws", Path = "/_blazor" }.Uri;

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(address, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
    }

    [Fact]
    public async Task SignedInCircuit_FromThePortal_IsAccepted()
    {
        var c = await Catalogue.CreateAsync(portal, "circuit-own");
        var browser = await portal.SignedInClientAsync(c.OwnerUser);

        var status = await browser.NegotiateFromAsync("/_blazor", portal.ServerAddress.GetLeftPart(UriPartial.Authority));

        Assert.Equal(HttpStatusCode.OK, status);
    }
}
