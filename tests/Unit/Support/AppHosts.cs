using System.Net;
using System.Net.Sockets;
using Platform.Portal.Runtime;

namespace Platform.Tests.Support;

/// <summary>
/// Calls applications on their own hosts ({label}.apps.localhost) over real HTTP. .NET's resolver may not resolve
/// *.localhost, so every connection goes to the loopback address the portal under test listens on, whatever the
/// host; the Host header still names the application.
/// </summary>
public static class AppHosts
{
    public static SocketsHttpHandler Handler() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>A host under the apps domain on this portal's port, e.g. one that no application has.</summary>
    public static Uri AppsHost(this PortalFactory portal, string label) =>
        new($"http://{(label.Length == 0 ? "" : label + ".")}{RouterAddress.DefaultDomain}:{portal.ServerAddress.Port}/");
}
