
namespace Platform.Portal.Runtime.Sandbox;

/// <summary>Whether the sandbox can be had on this host, and setting the host up for it: the checks, in the order they can fail, each with its fix.</summary>
public sealed partial class LocalSandbox
{
    private async Task<string?> SetUpAsync(CancellationToken cancellationToken)
    {
        const string Fallback = " Or set Runtime__Isolation=None to run applications without a sandbox, only for code you trust.";
        if (!OperatingSystem.IsLinux())
        {
            return "The sandbox runs on Linux only." + Fallback;
        }

        if (!RuntimeIdentities.IsRoot())
        {
            return "Applications run in a sandbox, which needs the portal to run as root: it gives each application a uid of its own and a network namespace. "
                + "Start the portal as root (sudo ./run.sh; in a container, as docker-compose.yml runs it)." + Fallback;
        }

        var bubblewrap = HostCommand.Find(settings.Bubblewrap);
        var missing = RequiredTools.Where(t => HostCommand.Find(t) is null).Select(t => t switch
        {
            "ip" => "iproute2",
            "nft" => "nftables",
            _ => "util-linux",
        }).Prepend(bubblewrap is null ? "bubblewrap" : null).OfType<string>().Distinct().ToList();
        if (missing.Count > 0)
        {
            return $"The sandbox needs Debian's packages {string.Join(", ", missing)}, which are not installed: apt-get install {string.Join(' ', missing)} (./run.sh installs them)."
                + Fallback;
        }

        _facts = FactsFor(RuntimeIsolation.Sandbox, bubblewrap!);
        await RuntimeIdentities.PassThroughFolderAsync(settings.Directory);
        await RuntimeIdentities.PassThroughFolderAsync(Path.Combine(settings.Directory, "apps"));
        try
        {
            await network.SetUpHostAsync(cancellationToken);
            await cgroups.InitializeAsync();
            var target = new Npgsql.NpgsqlConnectionStringBuilder(databases.AdminConnectionString);
            relay.Start(network.ServiceAddress, settings.DatabaseRelayPort, target.Host ?? "127.0.0.1", target.Port,
                settings.DatabaseRelayMaxConnections, settings.DatabaseRelayConnectionsPerApplication);
        }
        catch (SandboxException exception)
        {
            return $"The sandbox's network could not be set up: {exception.Message} The portal needs CAP_NET_ADMIN (root on the host, or a container run with --cap-add NET_ADMIN)."
                + Fallback;
        }

        return await TrialAsync(cancellationToken) is { } failure
            ? $"bubblewrap could not make a sandbox here: {failure}. The kernel must allow user namespaces (user.max_user_namespaces above 0, and kernel.unprivileged_userns_clone=1 where it exists); "
                + "in a container, run it privileged, or with seccomp and AppArmor profiles that allow them (see docker-compose.yml)." + Fallback
            : null;
    }

    /// <summary>Runs /bin/true in a full sandbox (network namespace, cgroups, a uid of its own) once, so a host that cannot is told at start.</summary>
    private async Task<string?> TrialAsync(CancellationToken cancellationToken)
    {
        var user = new RuntimeUser("sandbox trial", settings.FirstUid - 1, settings.FirstUid - 1);
        SandboxNamespace? space = null;
        SandboxCgroup? cgroup = null;
        try
        {
            space = await network.CreateAsync(null, cancellationToken);
            cgroup = await cgroups.CreateAsync($"trial-{Environment.ProcessId}", 64, 16, 0.1);
            var errors = new List<string>();
            var spec = new SandboxSpec(user, ["/bin/true"], "/", new Dictionary<string, string>(), [], space, cgroup, "trial");
            var exit = await RunAsync(spec, TimeSpan.FromSeconds(30), (_, line) =>
            {
                lock (errors)
                {
                    errors.Add(line);
                }
            }, cancellationToken);
            // bwrap says why in its last line ("bwrap: No permissions to create new namespace…").
            return exit == 0 ? null : errors.LastOrDefault(l => l.StartsWith("bwrap:", StringComparison.Ordinal)) ?? errors.LastOrDefault() ?? $"exit code {exit}";
        }
        catch (Exception exception) when (exception is SandboxException or Domain.Runtime.RuntimeFailureException)
        {
            return exception.Message;
        }
        finally
        {
            if (cgroup is not null)
            {
                await cgroups.DeleteAsync(cgroup);
            }

            if (space is not null)
            {
                await network.DeleteAsync(space);
            }
        }
    }

    private SandboxHostFacts FactsFor(RuntimeIsolation isolation, string bubblewrap) => new(
        isolation,
        bubblewrap,
        settings.MaxOpenFiles,
        settings.MaxProcesses * 4,
        SandboxNetwork.ResolverFile(),
        [settings.DataDirectory, settings.Directory, AppContext.BaseDirectory.TrimEnd('/')]);
}
