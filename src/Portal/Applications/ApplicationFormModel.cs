using Platform.Domain.Applications;
using Platform.Domain.Metrics;

namespace Platform.Portal.Applications;

/// <summary>
/// The form's editable copy of an application's settings, starting from <see cref="ApplicationRules.Defaults"/> for a new
/// one; the domain validates what it sends. Numbers are nullable only while a field is being typed: the form does not
/// send while one of them reads as no number.
/// </summary>
public sealed class ApplicationFormModel
{
    public string? Name { get; set; }

    public string? Url { get; set; }

    public string? Branch { get; set; } = ApplicationRules.Defaults.GitRepository.Branch;

    public string? RootPath { get; set; } = ApplicationRules.Defaults.GitRepository.RootPath;

    public string? BuildCommand { get; set; }

    public string? StartCommand { get; set; }

    public int? Port { get; set; } = ApplicationRules.Defaults.Port;

    public double? Cpu { get; set; } = ApplicationRules.Defaults.Cpu;

    public int? Memory { get; set; } = ApplicationRules.Defaults.Memory;

    /// <summary>GB per instance; empty for none.</summary>
    public int? Storage { get; set; } = ApplicationRules.Defaults.Storage;

    public int? Min { get; set; } = ApplicationRules.Defaults.MinRunningInstances;

    public int? Max { get; set; } = ApplicationRules.Defaults.MaxRunningInstances;

    public bool AutoDeploy { get; set; } = ApplicationRules.Defaults.AutoDeploy;

    public ProbeType ReadinessType { get; set; } = ApplicationRules.DefaultReadiness.Type;

    public string? ReadinessTarget { get; set; }

    public ProbeType LivenessType { get; set; } = ApplicationRules.DefaultLiveness.Type;

    public string? LivenessTarget { get; set; }

    public ThresholdModel ScaleThreshold { get; set; } = ThresholdModel.From(ApplicationRules.Defaults.MetricThresholds.Scale);

    public ThresholdModel CpuThreshold { get; set; } = ThresholdModel.From(ApplicationRules.Defaults.MetricThresholds.Cpu);

    public ThresholdModel MemoryThreshold { get; set; } = ThresholdModel.From(ApplicationRules.Defaults.MetricThresholds.Memory);

    public ThresholdModel StorageThreshold { get; set; } = ThresholdModel.From(ApplicationRules.Defaults.MetricThresholds.Storage);

    public static ApplicationFormModel From(ApplicationSettings? settings) => settings is null ? new() : new()
    {
        Name = settings.Name,
        Url = settings.GitRepository.Url,
        Branch = settings.GitRepository.Branch,
        RootPath = settings.GitRepository.RootPath,
        BuildCommand = settings.BuildCommand,
        StartCommand = settings.StartCommand,
        Port = settings.Port,
        Cpu = settings.Cpu,
        Memory = settings.Memory,
        Storage = settings.Storage,
        Min = settings.MinRunningInstances,
        Max = settings.MaxRunningInstances,
        AutoDeploy = settings.AutoDeploy,
        ReadinessType = settings.Healthchecks.ReadinessProbe?.Type ?? ApplicationRules.DefaultReadiness.Type,
        ReadinessTarget = settings.Healthchecks.ReadinessProbe?.Path ?? settings.Healthchecks.ReadinessProbe?.Command,
        LivenessType = settings.Healthchecks.LivenessProbe?.Type ?? ApplicationRules.DefaultLiveness.Type,
        LivenessTarget = settings.Healthchecks.LivenessProbe?.Path ?? settings.Healthchecks.LivenessProbe?.Command,
        ScaleThreshold = ThresholdModel.From(settings.MetricThresholds.Scale),
        CpuThreshold = ThresholdModel.From(settings.MetricThresholds.Cpu),
        MemoryThreshold = ThresholdModel.From(settings.MetricThresholds.Memory),
        StorageThreshold = ThresholdModel.From(settings.MetricThresholds.Storage),
    };

    public ApplicationInput ToInput() => new(
        Name,
        new GitSourceInput(Url ?? "", Branch ?? "", RootPath ?? ""),
        BuildCommand ?? "",
        StartCommand ?? "",
        Port,
        Cpu,
        Memory,
        Min,
        Max,
        AutoDeploy,
        new HealthchecksInput(Probe(ReadinessType, ReadinessTarget), Probe(LivenessType, LivenessTarget)))
    {
        // 0 is how the input says "none requested".
        Storage = Storage ?? 0,
        MetricThresholds = new MetricThresholdsInput(ScaleThreshold.ToInput(), CpuThreshold.ToInput(), MemoryThreshold.ToInput(), StorageThreshold.ToInput()),
    };

    private static ProbeInput Probe(ProbeType type, string? target) =>
        new(type, type == ProbeType.Http ? target ?? "" : null, type == ProbeType.Command ? target ?? "" : null, null, null, null, null);
}

/// <summary>One measure's thresholds in the form, in percent.</summary>
public sealed class ThresholdModel
{
    public int? Warning { get; set; }

    public int? Alert { get; set; }

    public static ThresholdModel From(MetricThreshold threshold) => new() { Warning = threshold.WarningThresholdInPercent, Alert = threshold.AlertThresholdInPercent };

    public MetricThresholdInput ToInput() => new(Warning, Alert);
}
