using Platform.Domain.Applications;

namespace Platform.Portal.Applications;

/// <summary>The form's editable copy of an application's settings; the domain validates what it sends.</summary>
public sealed class ApplicationFormModel
{
    public string? Name { get; set; }

    public string? Url { get; set; }

    public string? Branch { get; set; } = "main";

    public string? RootPath { get; set; } = "/";

    public string? BuildCommand { get; set; }

    public string? StartCommand { get; set; }

    public int Port { get; set; } = 8080;

    public double Cpu { get; set; } = 0.5;

    public int Memory { get; set; } = 256;

    public int Min { get; set; } = 1;

    public int Max { get; set; } = 1;

    public bool AutoDeploy { get; set; }

    public ProbeType ReadinessType { get; set; } = ProbeType.Tcp;

    public string? ReadinessTarget { get; set; }

    public ProbeType LivenessType { get; set; } = ProbeType.Tcp;

    public string? LivenessTarget { get; set; }

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
        Min = settings.MinRunningInstances,
        Max = settings.MaxRunningInstances,
        AutoDeploy = settings.AutoDeploy,
        ReadinessType = settings.Healthchecks.ReadinessProbe?.Type ?? ProbeType.Tcp,
        ReadinessTarget = settings.Healthchecks.ReadinessProbe?.Path ?? settings.Healthchecks.ReadinessProbe?.Command,
        LivenessType = settings.Healthchecks.LivenessProbe?.Type ?? ProbeType.Tcp,
        LivenessTarget = settings.Healthchecks.LivenessProbe?.Path ?? settings.Healthchecks.LivenessProbe?.Command,
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
        new HealthchecksInput(Probe(ReadinessType, ReadinessTarget), Probe(LivenessType, LivenessTarget)));

    private static ProbeInput Probe(ProbeType type, string? target) =>
        new(type, type == ProbeType.Http ? target ?? "" : null, type == ProbeType.Command ? target ?? "" : null, null, null, null, null);
}
