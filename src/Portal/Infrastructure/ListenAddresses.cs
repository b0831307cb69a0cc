using System.Net;
using System.Net.Sockets;

namespace Platform.Portal.Infrastructure;

/// <summary>Finds out before start-up whether the portal's address is taken, to say so in one line.</summary>
public static class ListenAddresses
{
    /// <summary>The first configured address whose port another process already holds, or null.</summary>
    public static string? FindTaken(string? urls)
    {
        foreach (var url in (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            BindingAddress address;
            try
            {
                address = BindingAddress.Parse(url);
            }
            catch (FormatException)
            {
                continue;
            }

            if (address.IsUnixPipe || address.Port == 0 || IsFree(ToIpAddress(address.Host), address.Port))
            {
                continue;
            }

            return url;
        }

        return null;
    }

    private static IPAddress ToIpAddress(string host) => host switch
    {
        "localhost" => IPAddress.Loopback,
        "*" or "+" => IPAddress.Any,
        _ => IPAddress.TryParse(host.Trim('[', ']'), out var ip) ? ip : IPAddress.Any,
    };

    private static bool IsFree(IPAddress ip, int port)
    {
        try
        {
            using var listener = new TcpListener(ip, port);
            listener.Start();
            return true;
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return false;
        }
        catch (SocketException)
        {
            // Not ours to judge (e.g. an address this host lacks): Kestrel will say.
            return true;
        }
    }
}
