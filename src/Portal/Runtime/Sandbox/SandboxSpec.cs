namespace Platform.Portal.Runtime.Sandbox;

/// <summary>A folder of the host shown inside a sandbox at <see cref="Target"/>.</summary>
public sealed record SandboxMount(string Source, string Target, bool Writable);

/// <summary>
/// One process to run in a sandbox: what it runs, as whom, what it sees and what limits it. Paths in
/// <see cref="Command"/> and <see cref="WorkingDirectory"/> are the ones inside (mount targets).
/// </summary>
/// <param name="Network">The namespace it runs in; null for none at all (loopback only).</param>
/// <param name="Input">
/// Data for its standard input (a git credential). The sandbox's own arguments then go on bwrap's command line instead
/// of its standard input, so <see cref="Environment"/> must hold no secret.
/// </param>
public sealed record SandboxSpec(
    RuntimeUser User,
    IReadOnlyList<string> Command,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<SandboxMount> Mounts,
    SandboxNamespace? Network,
    SandboxCgroup? Cgroup,
    string Hostname,
    byte[]? Input = null);

/// <summary>A process as it is started on the host: all that reaches the exec call, so tests can check it.</summary>
public sealed record PreparedProcess(string FileName, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment, string? WorkingDirectory, byte[]? Input);
