using System.Net;
using System.Net.Sockets;

namespace Platform.Portal.Infrastructure;

/// <summary>Free TCP ports on the loopback interface, as the kernel hands them out.</summary>
public static class FreePorts
{
    /// <summary>A port free right now (another process may take it before it is used: callers that bind report that clearly).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
