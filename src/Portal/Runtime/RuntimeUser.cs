namespace Platform.Portal.Runtime;

/// <summary>
/// Who builds and instances run as: the portal's own user, or, when the portal runs as root, the configured
/// unprivileged user (never root). Switching is done by util-linux's setpriv, which keeps the clean environment.
/// </summary>
public sealed record RuntimeUser(string Name, int? Uid, int? Gid)
{
    public bool Switches => Uid is not null;

    public static RuntimeUser Resolve(string configuredName)
    {
        if (Environment.UserName != "root" && !IsRoot())
        {
            return new RuntimeUser(Environment.UserName, null, null);
        }

        foreach (var line in File.ReadLines("/etc/passwd"))
        {
            var fields = line.Split(':');
            if (fields.Length >= 4 && fields[0] == configuredName)
            {
                var uid = int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture);
                if (uid == 0)
                {
                    throw new InvalidOperationException($"Runtime:User is {configuredName}, which is root: applications never run as root.");
                }

                return new RuntimeUser(configuredName, uid, int.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        throw new InvalidOperationException($"Runtime:User names {configuredName}, which does not exist on this host. Create it or choose another user.");
    }

    private static bool IsRoot() => OperatingSystem.IsLinux() && File.ReadLines("/proc/self/status")
        .FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))?.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) == "0";

    /// <summary>Gives a folder (and what is in it) to the runtime user, so builds and instances can write there.</summary>
    public async Task GiveAsync(string path, CancellationToken cancellationToken)
    {
        if (!Switches)
        {
            return;
        }

        using var chown = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("chown", ["-R", $"{Uid}:{Gid}", "--", path])
        {
            RedirectStandardError = true,
        })!;
        await chown.WaitForExitAsync(cancellationToken);
    }
}
