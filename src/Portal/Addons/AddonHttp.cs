using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using Platform.Domain.Addons;

namespace Platform.Portal.Addons;

/// <summary>
/// The addons' one way out over HTTP. Every receiver is treated as hostile: the address is checked at connect time
/// (the socket connects to the address checked, so a DNS answer cannot change between check and use), no proxy,
/// no redirect, a timeout over the whole attempt, at most MaxResponseBytes read, and the error recorded is ours.
/// </summary>
public sealed class AddonHttp(IHttpClientFactory clients, IOptions<AddonSettings> options)
{
    public const string ClientName = "addons";

    private const int SnippetLength = 120;

    /// <summary>The named client's handler; the host's logging of requests (which names the URL, a secret) is removed where it is registered.</summary>
    public static SocketsHttpHandler Handler(AddonSettings settings) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(Math.Max(1, settings.TimeoutSeconds)),
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, settings.AllowPrivateAddresses, cancellationToken),
    };

    /// <summary>POSTs the JSON body; 2xx is delivered, anything else a failed attempt saying why in our words.</summary>
    /// <param name="secrets">Values that must not appear in what is recorded, should the receiver echo them.</param>
    public async Task<AttemptOutcome> PostJsonAsync(
        Uri url, string body, IReadOnlyDictionary<string, string> headers, IReadOnlyCollection<string> secrets, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var timer = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, settings.TimeoutSeconds)));
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.UserAgent.ParseAdd("Platform-Addons/1.0");
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var answer = await ReadLimitedAsync(response, settings.MaxResponseBytes, timeout.Token);
            var status = (int)response.StatusCode;
            var elapsed = Elapsed(timer);
            if (status is >= 200 and < 300)
            {
                return new AttemptOutcome(true, status, null, elapsed);
            }

            var error = status is >= 300 and < 400
                ? $"HTTP {status}: a redirect, which is not followed"
                : $"HTTP {status}{Snippet(answer, secrets.Concat(UrlParts(url)))}";
            return new AttemptOutcome(false, status, error, elapsed);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new AttemptOutcome(false, null, $"timed out after {settings.TimeoutSeconds} s", Elapsed(timer));
        }
        catch (HttpRequestException exception)
        {
            return new AttemptOutcome(false, null, Describe(exception), Elapsed(timer));
        }
    }

    /// <summary>
    /// Whether connecting there is refused unless private addresses are allowed: loopback, private, link-local,
    /// unique-local, CGNAT, multicast, unspecified, reserved, and those forms inside IPv4-mapped, NAT64 and 6to4 addresses.
    /// </summary>
    public static bool IsRefused(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.IsIPv4MappedToIPv6)
            {
                return IsRefused(address.MapToIPv4());
            }

            var bytes = address.GetAddressBytes();
            if (IPAddress.IPv6Loopback.Equals(address) || IPAddress.IPv6Any.Equals(address) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal
                || address.IsIPv6Multicast || (bytes[0] & 0xfe) == 0xfc)
            {
                return true;
            }

            // ::a.b.c.d (IPv4-compatible), 64:ff9b::a.b.c.d (NAT64) and 2002:a.b.c.d:: (6to4) carry an IPv4 address.
            if (bytes.Take(12).All(b => b == 0))
            {
                return IsRefused(new IPAddress(bytes[12..16]));
            }

            if (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b && bytes[4..12].All(b => b == 0))
            {
                return IsRefused(new IPAddress(bytes[12..16]));
            }

            return bytes[0] == 0x20 && bytes[1] == 0x02 && IsRefused(new IPAddress(bytes[2..6]));
        }

        var v4 = address.GetAddressBytes();
        return v4[0] switch
        {
            0 or 10 or 127 => true,
            100 => v4[1] is >= 64 and < 128,
            169 => v4[1] == 254,
            172 => v4[1] is >= 16 and < 32,
            192 => (v4[1] == 168) || (v4[1] == 0 && v4[2] == 0),
            198 => v4[1] is 18 or 19,
            >= 224 => true,
            _ => false,
        };
    }

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowPrivate, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        var allowed = allowPrivate ? addresses : addresses.Where(a => !IsRefused(a)).ToArray();
        if (allowed.Length == 0)
        {
            throw addresses.Length == 0
                ? new SocketException((int)SocketError.HostNotFound)
                : new AddressRefusedException(addresses[0]);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<byte[]> ReadLimitedAsync(HttpResponseMessage response, int limit, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[Math.Max(0, limit)];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return buffer[..read];
    }

    /// <summary>A short, cleaned beginning of the receiver's answer: printable characters only, secrets blanked.</summary>
    private static string Snippet(byte[] answer, IEnumerable<string> secrets)
    {
        var text = Encoding.UTF8.GetString(answer, 0, Math.Min(answer.Length, SnippetLength * 4));
        foreach (var secret in secrets.Where(s => s.Length >= 4).OrderByDescending(s => s.Length))
        {
            text = text.Replace(secret, "••••••••", StringComparison.Ordinal);
        }

        var cleaned = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        cleaned = string.Join(' ', cleaned.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return cleaned.Length == 0 ? "" : $": {(cleaned.Length > SnippetLength ? cleaned[..SnippetLength] + "…" : cleaned)}";
    }

    /// <summary>The URL and each longer part of its path and query: a receiver that echoes any of them back echoes a token.</summary>
    private static IEnumerable<string> UrlParts(Uri url) =>
        new[] { url.ToString(), url.PathAndQuery }.Concat(url.PathAndQuery.Split(['/', '?', '&', '='], StringSplitOptions.RemoveEmptyEntries).Where(p => p.Length >= 8))
            .OrderByDescending(p => p.Length);

    private static string Describe(HttpRequestException exception)
    {
        for (Exception? inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is AddressRefusedException refused)
            {
                return $"refused: private address {refused.Address} (Addons:AllowPrivateAddresses is off)";
            }

            if (inner is SocketException socket)
            {
                return socket.SocketErrorCode == SocketError.HostNotFound ? "the host name did not resolve" : $"could not connect: {socket.SocketErrorCode}";
            }
        }

        return exception.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "the host name did not resolve",
            HttpRequestError.ConnectionError => "could not connect",
            HttpRequestError.SecureConnectionError => "the TLS handshake failed",
            HttpRequestError.ResponseEnded => "the receiver closed the connection before answering",
            HttpRequestError.InvalidResponse => "the answer is not valid HTTP",
            HttpRequestError.ConfigurationLimitExceeded => "the answer's headers are too large",
            _ => "the request failed",
        };
    }

    private static int Elapsed(Stopwatch timer) => (int)Math.Min(int.MaxValue, timer.ElapsedMilliseconds);

    /// <summary>The connect callback's refusal: the address, never the URL.</summary>
    private sealed class AddressRefusedException(IPAddress address) : IOException("The address is refused.")
    {
        public IPAddress Address { get; } = address;
    }
}
