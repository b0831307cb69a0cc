using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Platform.Portal.Runtime.Sandbox;

/// <summary>
/// A network namespace of one sandbox: a veth pair to the host with a /30 of its own. The host reaches it at
/// <see cref="Address"/>; it reaches the host only at the service address (the database relay), and the outside
/// world through the host's masquerade when egress is on.
/// </summary>
public sealed record SandboxNamespace(string Name, IPAddress Address, IPAddress Gateway, int? InboundPort)
{
    public string Path => $"/run/netns/{Name}";
}

/// <summary>
/// The sandboxes' networking on this host, made by the portal as root with iproute2 and nftables:
/// <list type="bullet">
/// <item>each sandbox gets a network namespace (<see cref="CreateAsync"/>), in which only the instance's port is open,
/// forwarded to its loopback too (applications that listen on 127.0.0.1 keep working);</item>
/// <item>one nftables table for every sandbox on the host (interfaces named pltv*): they reach nothing of the host
/// but the service address, nothing of each other, no private or link-local range (unless allowed), and the
/// outside world through masquerade;</item>
/// <item>the service address (the last but one of the sandbox network, on the host's loopback interface) carries
/// the database relay.</item>
/// </list>
/// Namespaces are noted in the runtime folder, so a portal that did not stop cleanly removes its own at the next start.
/// </summary>
public sealed partial class SandboxNetwork(LocalRuntimeSettings settings, ILogger<SandboxNetwork> logger)
{
    public const string InterfacePrefix = "pltv";
    private const string NamespacePrefix = "platform-";
    private const string Table = "platform_sandbox";

    /// <summary>Slots taken by this process's portals (tests run several); other processes are told apart by the kernel (EEXIST).</summary>
    private static readonly HashSet<int> Taken = [];

    private readonly string _ledger = System.IO.Path.Combine(settings.Directory, "netns");

    public IPAddress ServiceAddress => At(Size - 2);

    /// <summary>Whether sandboxes reach the outside world (egress is on and the host forwards).</summary>
    public bool Egress { get; private set; }

    private uint Base => ToUInt(settings.SandboxNetwork.BaseAddress);

    private uint Size => 1u << (32 - settings.SandboxNetwork.PrefixLength);

    /// <summary>The namespaces' /30s, below the last /24 (kept for service addresses).</summary>
    private int Slots => (int)((Size - 256) / 4);

    /// <summary>Sets the host up (idempotent, atomic for the firewall): the service address, forwarding, the firewall table.</summary>
    public async Task SetUpHostAsync(CancellationToken cancellationToken)
    {
        await RemoveLeftoversAsync();
        var service = $"{ServiceAddress}/32";
        var addresses = await HostCommand.RunCheckedAsync("Listing the loopback interface's addresses", "ip", ["-o", "-4", "addr", "show", "dev", "lo"], cancellationToken: cancellationToken);
        if (!addresses.Output.Contains($" {service} ", StringComparison.Ordinal))
        {
            // Another portal on this host may add it at the same moment: "File exists" is as good as done.
            var added = await HostCommand.RunAsync("ip", ["addr", "add", service, "dev", "lo"], cancellationToken: cancellationToken);
            if (!added.Succeeded && !added.Error.Contains("File exists", StringComparison.Ordinal))
            {
                throw new SandboxException($"Adding the sandbox service address failed: {added.Reason}");
            }
        }

        Egress = settings.Egress && await ForwardingAsync(cancellationToken);
        await HostCommand.RunCheckedAsync("Loading the sandbox firewall (nftables)", "nft", ["-f", "-"], Firewall(), cancellationToken);
    }

    /// <summary>Makes a namespace for one sandbox; <paramref name="inboundPort"/> is the one port the host may connect to.</summary>
    public async Task<SandboxNamespace> CreateAsync(int? inboundPort, CancellationToken cancellationToken)
    {
        var start = Random.Shared.Next(Slots);
        for (var attempt = 0; attempt < 64; attempt++)
        {
            var slot = (start + attempt) % Slots;
            lock (Taken)
            {
                if (!Taken.Add(slot))
                {
                    continue;
                }
            }

            var name = NamespacePrefix + slot.ToString(CultureInfo.InvariantCulture);
            var added = await HostCommand.RunAsync("ip", ["netns", "add", name], cancellationToken: cancellationToken);
            if (!added.Succeeded)
            {
                // Another portal on this host has it (or a leftover of one that crashed): try the next.
                lock (Taken)
                {
                    Taken.Remove(slot);
                }

                continue;
            }

            // Only the portal reads it.
            Infrastructure.PrivateFolders.Create(_ledger);
            await File.WriteAllTextAsync(System.IO.Path.Combine(_ledger, name), "", cancellationToken);
            var space = new SandboxNamespace(name, At((uint)(4 * slot) + 2), At((uint)(4 * slot) + 1), inboundPort);
            try
            {
                await HostCommand.RunCheckedAsync("Setting up a sandbox's network", "/bin/sh", ["-c", SetUpScript, "sh", name, InterfacePrefix + slot.ToString(CultureInfo.InvariantCulture),
                    space.Gateway.ToString(), space.Address.ToString()], cancellationToken: cancellationToken);
                await HostCommand.RunCheckedAsync("Loading a sandbox's firewall", "nsenter", [$"--net={space.Path}", "--", "nft", "-f", "-"], NamespaceFirewall(space), cancellationToken);
                return space;
            }
            catch
            {
                await DeleteAsync(space);
                throw;
            }
        }

        throw new SandboxException("No free address is left on the sandbox network: too many sandboxes run at once, or Runtime:SandboxNetwork is too small.");
    }

    /// <summary>Removes a namespace; its veth pair goes with it.</summary>
    public async Task DeleteAsync(SandboxNamespace space)
    {
        var result = await HostCommand.RunAsync("ip", ["netns", "delete", space.Name]);
        if (!result.Succeeded && !result.Error.Contains("No such file", StringComparison.Ordinal))
        {
            LogDeleteFailed(space.Name, result.Reason);
            return;
        }

        File.Delete(System.IO.Path.Combine(_ledger, space.Name));
        if (int.TryParse(space.Name[NamespacePrefix.Length..], CultureInfo.InvariantCulture, out var slot))
        {
            lock (Taken)
            {
                Taken.Remove(slot);
            }
        }
    }

    /// <summary>The namespaces an earlier run of this portal left (it was killed): their processes are gone with it.</summary>
    private async Task RemoveLeftoversAsync()
    {
        if (!Directory.Exists(_ledger))
        {
            return;
        }

        foreach (var entry in Directory.GetFiles(_ledger))
        {
            var name = System.IO.Path.GetFileName(entry);
            if (name.StartsWith(NamespacePrefix, StringComparison.Ordinal))
            {
                await HostCommand.RunAsync("ip", ["netns", "delete", name]);
            }

            File.Delete(entry);
        }
    }

    /// <summary>Turns IPv4 forwarding on (the outside world is reached through the host), unless it already is (a container's sysctl).</summary>
    private async Task<bool> ForwardingAsync(CancellationToken cancellationToken)
    {
        const string Forwarding = "/proc/sys/net/ipv4/ip_forward";
        try
        {
            if ((await File.ReadAllTextAsync(Forwarding, cancellationToken)).Trim() != "1")
            {
                await File.WriteAllTextAsync(Forwarding, "1", cancellationToken);
            }

            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            LogNoEgress(exception.Message);
            return false;
        }
    }

    /// <summary>
    /// The host's firewall for sandboxes, replaced as a whole in one transaction (no moment without it). Of the host,
    /// sandboxes reach only sockets bound to the service address itself (socket wildcard 0): the database relays, each
    /// portal's on a port of its own. A host service listening on all addresses (0.0.0.0, or [::]) listens on the
    /// service address too, and is not reached.
    /// </summary>
    private string Firewall()
    {
        var dns = NameServers().Where(a => !IPAddress.IsLoopback(a)).Select(a => a.ToString()).ToList();
        var allowed = settings.AllowedNetworks.Select(n => n.ToString()).ToList();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"table inet {Table} {{}}");
        text.AppendLine(CultureInfo.InvariantCulture, $"delete table inet {Table}");
        text.AppendLine(CultureInfo.InvariantCulture, $$"""
            table inet {{Table}} {
              set closed {
                type ipv4_addr; flags interval;
                elements = { 0.0.0.0/8, 10.0.0.0/8, 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16, 172.16.0.0/12, 192.168.0.0/16, 224.0.0.0/3 }
              }
              chain input {
                type filter hook input priority filter - 10; policy accept;
                iifname "{{InterfacePrefix}}*" ct state established,related accept
                iifname "{{InterfacePrefix}}*" ip daddr {{ServiceAddress}} meta l4proto tcp socket wildcard 0 accept
                iifname "{{InterfacePrefix}}*" drop
              }
              chain forward {
                type filter hook forward priority filter - 10; policy accept;
                oifname "{{InterfacePrefix}}*" ct state established,related accept
                oifname "{{InterfacePrefix}}*" drop
            """);
        if (!Egress)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    iifname \"{InterfacePrefix}*\" drop");
        }

        if (dns.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    iifname \"{InterfacePrefix}*\" ip daddr {{ {string.Join(", ", dns)} }} meta l4proto {{ tcp, udp }} th dport 53 accept");
        }

        if (allowed.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    iifname \"{InterfacePrefix}*\" ip daddr {{ {string.Join(", ", allowed)} }} accept");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $$"""
                iifname "{{InterfacePrefix}}*" ip daddr @closed drop
                iifname "{{InterfacePrefix}}*" meta nfproto ipv6 drop
              }
              chain postrouting {
                type nat hook postrouting priority srcnat; policy accept;
                ip saddr {{settings.SandboxNetwork}} oifname != "{{InterfacePrefix}}*" masquerade
              }
            }
            """);
        return text.ToString();
    }

    /// <summary>Inside a namespace: its own loopback, answers, and the one inbound port from the host, also forwarded to 127.0.0.1.</summary>
    private static string NamespaceFirewall(SandboxNamespace space)
    {
        var port = space.InboundPort?.ToString(CultureInfo.InvariantCulture);
        return $$"""
            table ip sandbox {
              chain prerouting {
                type nat hook prerouting priority dstnat; policy accept;
                {{(port is null ? "" : $"iifname \"eth0\" ip saddr {space.Gateway} tcp dport {port} dnat to 127.0.0.1:{port}")}}
              }
              chain input {
                type filter hook input priority filter; policy drop;
                iifname "lo" accept
                ct state established,related accept
                {{(port is null ? "" : $"iifname \"eth0\" ip saddr {space.Gateway} tcp dport {port} accept")}}
              }
            }
            """;
    }

    private const string SetUpScript = """
        set -e
        ns=$1 veth=$2 gateway=$3 address=$4
        ip link add "$veth" type veth peer name eth0 netns "$ns"
        ip addr add "$gateway/30" dev "$veth"
        ip link set "$veth" up
        ip -n "$ns" link set lo up
        ip -n "$ns" addr add "$address/30" dev eth0
        ip -n "$ns" link set eth0 up
        ip -n "$ns" route add default via "$gateway"
        # Written, not set with sysctl (not every image has procps); a read-only /proc/sys (a container) costs only the loopback forward.
        nsenter --net="/run/netns/$ns" -- /bin/sh -c 'echo 1 > /proc/sys/net/ipv4/conf/eth0/route_localnet; for f in all default; do echo 1 > /proc/sys/net/ipv6/conf/$f/disable_ipv6; done' 2>/dev/null || true
        """;

    /// <summary>The resolvers sandboxes use: the host's, or systemd-resolved's upstream ones when the host's is on loopback.</summary>
    public static string ResolverFile() =>
        NameServers("/etc/resolv.conf").All(IPAddress.IsLoopback) && File.Exists("/run/systemd/resolve/resolv.conf") ? "/run/systemd/resolve/resolv.conf" : "/etc/resolv.conf";

    private static List<IPAddress> NameServers() => NameServers(ResolverFile());

    private static List<IPAddress> NameServers(string file) => File.Exists(file)
        ? File.ReadLines(file).Select(l => l.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 2 && f[0] == "nameserver" && IPAddress.TryParse(f[1], out var a) && a.AddressFamily == AddressFamily.InterNetwork)
            .Select(f => IPAddress.Parse(f[1])).ToList()
        : [];

    private IPAddress At(uint offset) => FromUInt(Base + offset);

    private static uint ToUInt(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        return ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
    }

    private static IPAddress FromUInt(uint value) => new([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandboxes get no outside network: the host does not forward ({Reason})")]
    private partial void LogNoEgress(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A sandbox's network namespace {Name} could not be removed: {Reason}")]
    private partial void LogDeleteFailed(string name, string reason);
}
