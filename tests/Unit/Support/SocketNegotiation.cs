using System.Net;

namespace Platform.Tests.Support;

/// <summary>What a page on some origin gets when its browser, with this client's cookie, negotiates a SignalR connection.</summary>
public static class SocketNegotiation
{
    /// <summary>POSTs {hubPath}/negotiate with the Origin header given; extraQuery is appended as is ("&amp;name=value").</summary>
    public static async Task<HttpStatusCode> NegotiateFromAsync(this HttpClient browser, string hubPath, string origin, string extraQuery = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{hubPath}/negotiate?negotiateVersion=1{extraQuery}");
        request.Headers.Add("Origin", origin);
        using var response = await browser.SendAsync(request);
        return response.StatusCode;
    }
}
