using Platform.Domain.Common;
using Platform.Domain.Metrics;

namespace Platform.Domain.Applications;

public sealed record GitSourceInput(string? Url, string? Branch, string? RootPath);

public sealed record ProbeInput(
    ProbeType? Type,
    string? Path,
    string? Command,
    int? InitialDelaySeconds,
    int? PeriodSeconds,
    int? TimeoutSeconds,
    int? FailureThreshold);

public sealed record HealthchecksInput(ProbeInput? ReadinessProbe, ProbeInput? LivenessProbe);

/// <summary>
/// An application's settings as a caller sends them: on create, what is missing takes the defaults; on update,
/// what is missing keeps its current value. An empty build command clears it.
/// </summary>
public sealed record ApplicationInput(
    string? Name,
    GitSourceInput? GitRepository,
    string? BuildCommand,
    string? StartCommand,
    int? Port,
    double? Cpu,
    int? Memory,
    int? MinRunningInstances,
    int? MaxRunningInstances,
    bool? AutoDeploy,
    HealthchecksInput? Healthchecks)
{
    /// <summary>The storage requested per instance in GB; 0 clears it (none requested).</summary>
    public int? Storage { get; init; }

    public MetricThresholdsInput? MetricThresholds { get; init; }
}

/// <summary>What a change of settings does to the repository secret: keeps it, clears it, or replaces it with the one typed.</summary>
public sealed class GitSecretChange
{
    public static readonly GitSecretChange Keep = new(keeps: true, replacement: null);

    public static readonly GitSecretChange Clear = new(keeps: false, replacement: null);

    private readonly string? _replacement;

    private GitSecretChange(bool keeps, string? replacement)
    {
        Keeps = keeps;
        _replacement = replacement;
    }

    public bool Keeps { get; }

    public bool Replaces => _replacement is not null;

    public static GitSecretChange Replace(string secret) => new(keeps: false, secret);

    /// <summary>The encrypted secret to store, given the one stored now.</summary>
    public string? Apply(string? currentProtected, Common.ISecretProtector protector) =>
        Keeps ? currentProtected : _replacement is null ? null : protector.Protect(_replacement);

    public override string ToString() => Keeps ? "keep" : Replaces ? "replace" : "clear";
}

/// <summary>The rules for application settings, with an error per field named as in the JSON.</summary>
public static class ApplicationRules
{
    public const int MinPort = 1;
    public const int MaxPort = 65535;
    public const int MinMemoryMb = 16;
    public const int MaxMemoryMb = 65536;
    public const double MinCpu = 0.01;
    public const double MaxCpu = 64;
    public const int MaxInstances = 50;
    public const int MaxCommandLength = 4096;
    public const int MinStorageGb = 1;
    public const int MaxStorageGb = 1024;

    public static readonly Probe DefaultReadiness = new(ProbeType.Tcp, null, null, 0, 5, 5, 3);
    public static readonly Probe DefaultLiveness = new(ProbeType.Tcp, null, null, 10, 10, 5, 3);

    /// <summary>What a new application has for every setting its creator leaves out; the portal's form starts from it too.</summary>
    public static readonly ApplicationSettings Defaults = new(
        Name: "",
        GitRepository: new GitSource(Url: "", Branch: "main", RootPath: "/"),
        BuildCommand: null,
        StartCommand: "",
        Port: 8080,
        Cpu: 0.5,
        Memory: 256,
        MinRunningInstances: 1,
        MaxRunningInstances: 1,
        AutoDeploy: false,
        Healthchecks: new Healthchecks(DefaultReadiness, DefaultLiveness));

    public const int MaxUrlLength = 2048;

    /// <summary>
    /// Merges the input over a baseline (null for a new application) and checks the result. A repository URL's secret
    /// is split off (<see cref="GitUrls"/>): the settings hold the URL masked, the change says what becomes of the
    /// stored secret. The masked URL sent back (as a client that read the application does) keeps it.
    /// </summary>
    public static (ApplicationSettings Settings, GitSecretChange GitSecret, Dictionary<string, string[]> Errors) Resolve(
        ApplicationInput input, ApplicationSettings? current, bool gitSecretStored = false)
    {
        var errors = new Dictionary<string, string[]>();
        var baseline = current ?? Defaults;
        var git = input.GitRepository;
        var typedUrl = git?.Url?.Trim();
        var (url, gitSecret) = typedUrl is null
            ? (baseline.GitRepository.Url, GitSecretChange.Keep)
            : SplitUrl(typedUrl, current, gitSecretStored, errors);
        var settings = new ApplicationSettings(
            Name: input.Name?.Trim() ?? baseline.Name,
            GitRepository: new GitSource(
                Url: url,
                Branch: git?.Branch?.Trim() ?? baseline.GitRepository.Branch,
                RootPath: git?.RootPath?.Trim() ?? baseline.GitRepository.RootPath),
            BuildCommand: input.BuildCommand is null ? baseline.BuildCommand : (string.IsNullOrWhiteSpace(input.BuildCommand) ? null : input.BuildCommand.Trim()),
            StartCommand: input.StartCommand?.Trim() ?? baseline.StartCommand,
            Port: input.Port ?? baseline.Port,
            Cpu: input.Cpu ?? baseline.Cpu,
            Memory: input.Memory ?? baseline.Memory,
            MinRunningInstances: input.MinRunningInstances ?? baseline.MinRunningInstances,
            MaxRunningInstances: input.MaxRunningInstances ?? baseline.MaxRunningInstances,
            AutoDeploy: input.AutoDeploy ?? baseline.AutoDeploy,
            Healthchecks: new Healthchecks(
                MergeProbe(input.Healthchecks?.ReadinessProbe, baseline.Healthchecks.ReadinessProbe ?? DefaultReadiness),
                MergeProbe(input.Healthchecks?.LivenessProbe, baseline.Healthchecks.LivenessProbe ?? DefaultLiveness)))
        {
            Storage = input.Storage is null ? baseline.Storage : input.Storage == 0 ? null : input.Storage,
            MetricThresholds = baseline.MetricThresholds.Merge(input.MetricThresholds),
        };

        Names.Check(errors, "name", settings.Name);

        if (!errors.ContainsKey("git_repository.url"))
        {
            Check(errors, "git_repository.url", settings.GitRepository.Url.Length > 0 && (typedUrl ?? url).Length <= MaxUrlLength,
                "The repository is required: a local path, a file:// URL or an http(s)/ssh git URL.");
        }

        Check(errors, "git_repository.branch", IsBranch(settings.GitRepository.Branch), "Enter a branch name, such as main.");
        Check(errors, "git_repository.root_path", settings.GitRepository.RootPath.StartsWith('/') && !settings.GitRepository.RootPath.Contains("..", StringComparison.Ordinal),
            "The root path starts with / and stays inside the repository.");
        Check(errors, "build_command", settings.BuildCommand is null || settings.BuildCommand.Length <= MaxCommandLength,
            $"The build command is at most {MaxCommandLength} characters.");
        Check(errors, "start_command", settings.StartCommand.Length is > 0 and <= MaxCommandLength, "The start command is required, such as npm start.");
        Check(errors, "port", settings.Port is >= MinPort and <= MaxPort, $"The port is from {MinPort} to {MaxPort}.");
        Check(errors, "cpu", settings.Cpu is >= MinCpu and <= MaxCpu, $"CPU is in cores, from {MinCpu} to {MaxCpu}.");
        Check(errors, "memory", settings.Memory is >= MinMemoryMb and <= MaxMemoryMb, $"Memory is in MB, from {MinMemoryMb} to {MaxMemoryMb}.");
        Check(errors, "min_running_instances", settings.MinRunningInstances is >= 0 and <= MaxInstances, $"The minimum is from 0 to {MaxInstances} instances.");
        Check(errors, "max_running_instances", settings.MaxRunningInstances is >= 1 and <= MaxInstances, $"The maximum is from 1 to {MaxInstances} instances.");
        if (settings.MinRunningInstances > settings.MaxRunningInstances && !errors.ContainsKey("max_running_instances"))
        {
            errors["max_running_instances"] = ["The maximum must be at least the minimum."];
        }

        Check(errors, "storage", settings.Storage is null or (>= MinStorageGb and <= MaxStorageGb),
            $"Storage is in GB, from {MinStorageGb} to {MaxStorageGb}, or 0 for none.");
        settings.MetricThresholds.Check(errors, "metric_thresholds");
        CheckProbe(errors, "healthchecks.readiness_probe", settings.Healthchecks.ReadinessProbe);
        CheckProbe(errors, "healthchecks.liveness_probe", settings.Healthchecks.LivenessProbe);
        return (settings, gitSecret, errors);
    }

    private static (string Url, GitSecretChange Secret) SplitUrl(string typed, ApplicationSettings? current, bool secretStored, Dictionary<string, string[]> errors)
    {
        var (stored, secret) = GitUrls.Split(typed);
        if (secret is not null)
        {
            return (stored, GitSecretChange.Replace(secret));
        }

        if (!GitUrls.HasSecret(stored))
        {
            return (stored, GitSecretChange.Clear);
        }

        // The mask stands for the stored secret: kept only for the account it was given for.
        if (current is null || !secretStored)
        {
            errors["git_repository.url"] = [$"{GitUrls.Mask} stands for a stored password or token, and none is stored for this repository: enter it."];
        }
        else if (!GitUrls.SameAccount(stored, current.GitRepository.Url))
        {
            errors["git_repository.url"] = ["The stored password or token is kept only for the same user and host: enter it again for this URL."];
        }

        return (stored, GitSecretChange.Keep);
    }

    private static Probe MergeProbe(ProbeInput? input, Probe current)
    {
        if (input is null)
        {
            return current;
        }

        var type = input.Type ?? current.Type;
        var baseline = current.Type == type ? current : null;
        return new Probe(
            type,
            type == ProbeType.Http ? input.Path?.Trim() ?? baseline?.Path ?? "/" : null,
            type == ProbeType.Command ? input.Command?.Trim() ?? baseline?.Command : null,
            input.InitialDelaySeconds ?? current.InitialDelaySeconds,
            input.PeriodSeconds ?? current.PeriodSeconds,
            input.TimeoutSeconds ?? current.TimeoutSeconds,
            input.FailureThreshold ?? current.FailureThreshold);
    }

    private static void CheckProbe(Dictionary<string, string[]> errors, string field, Probe? probe)
    {
        if (probe is null)
        {
            return;
        }

        Check(errors, $"{field}.path", probe.Type != ProbeType.Http || probe.Path is { Length: > 0 and <= 1024 } && probe.Path.StartsWith('/'),
            "An HTTP probe needs a path starting with /, such as /health.");
        Check(errors, $"{field}.command", probe.Type != ProbeType.Command || probe.Command is { Length: > 0 and <= MaxCommandLength },
            "A command probe needs the command to run.");
        Check(errors, $"{field}.initial_delay_seconds", probe.InitialDelaySeconds is >= 0 and <= 3600, "From 0 to 3600 seconds.");
        Check(errors, $"{field}.period_seconds", probe.PeriodSeconds is >= 1 and <= 3600, "From 1 to 3600 seconds.");
        Check(errors, $"{field}.timeout_seconds", probe.TimeoutSeconds is >= 1 and <= 3600, "From 1 to 3600 seconds.");
        Check(errors, $"{field}.failure_threshold", probe.FailureThreshold is >= 1 and <= 100, "From 1 to 100 failures.");
    }

    private static bool IsBranch(string branch) =>
        branch.Length is > 0 and <= 255 && !branch.Any(c => char.IsWhiteSpace(c) || c is '~' or '^' or ':' or '?' or '*' or '[' or '\\')
        && !branch.StartsWith('-') && !branch.Contains("..", StringComparison.Ordinal);

    private static void Check(Dictionary<string, string[]> errors, string field, bool valid, string message)
    {
        if (!valid)
        {
            errors[field] = [message];
        }
    }
}
