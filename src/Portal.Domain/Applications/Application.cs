using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Common;
using Platform.Domain.Environments;
using Platform.Domain.Metrics;
using Platform.Domain.Services;

namespace Platform.Domain.Applications;

public sealed record GitSource(string Url, string Branch, string RootPath);

public enum ProbeType
{
    Http,
    Tcp,
    Command,
}

public sealed record Probe(
    ProbeType Type,
    string? Path,
    string? Command,
    int InitialDelaySeconds,
    int PeriodSeconds,
    int TimeoutSeconds,
    int FailureThreshold);

public sealed record Healthchecks(Probe? ReadinessProbe, Probe? LivenessProbe);

/// <summary>Everything a user sets on an application (PRODUCT.md section 6), validated as a whole.</summary>
public sealed record ApplicationSettings(
    string Name,
    GitSource GitRepository,
    string? BuildCommand,
    string StartCommand,
    int Port,
    double Cpu,
    int Memory,
    int MinRunningInstances,
    int MaxRunningInstances,
    bool AutoDeploy,
    Healthchecks Healthchecks)
{
    /// <summary>
    /// The storage each instance may take, in GB (its files and its private temporary folder); null when none is requested,
    /// and then nothing is compared against it.
    /// </summary>
    public int? Storage { get; init; }

    /// <summary>When the scale and each instance's CPU, memory and storage turn WARNING or ERROR (settings stored before there were thresholds read the defaults).</summary>
    public MetricThresholds MetricThresholds { get; init; } = MetricThresholds.Defaults;
}

public sealed class Application : IDeployedService
{
    public Guid Id { get; init; } = Ids.New();

    public Guid EnvironmentId { get; init; }

    public ProjectEnvironment? Environment { get; init; }

    private ApplicationSettings _settings = null!;

    public required ApplicationSettings Settings
    {
        get => _settings;
        set
        {
            _settings = value;
            Name = value.Name;
            Port = value.Port;
        }
    }

    /// <summary>
    /// The secret of the repository URL, encrypted like a secret variable: the password of <c>user:password@</c>, or the
    /// token given as the user (<c>https://TOKEN@</c>). The URL in <see cref="Settings"/> shows it as <c>***</c> (<see cref="GitUrls"/>).
    /// </summary>
    public string? ProtectedGitSecret { get; set; }

    /// <summary>A copy of <see cref="ApplicationSettings.Name"/> in its own column, to sort and check uniqueness.</summary>
    public string Name { get; private set; } = "";

    /// <summary>
    /// A copy of <see cref="ApplicationSettings.Port"/> in its own column: the variables' listing answers PORT from it, one
    /// integer, instead of the whole settings document repeated on each of its rows.
    /// </summary>
    public int Port { get; private set; }

    public ServiceState State { get; set; } = ServiceState.Stopped;

    /// <summary>When it was last deployed; null until then.</summary>
    public DateTimeOffset? DeployedAt { get; set; }

    /// <summary>Variables, secrets or settings changed since the last deployment (the RESTART_NEEDED flag).</summary>
    public bool RestartNeeded { get; set; }

    public string? StateMessage { get; set; }

    /// <summary>When the repository check last asked the repository for the branch's head; null before its first check.</summary>
    public DateTimeOffset? RepositoryCheckedAt { get; set; }

    /// <summary>The branch's head at the last check; null before it, or when the repository could not be reached.</summary>
    public string? LatestCommitId { get; set; }

    /// <summary>Why the repository could not be reached at the last check (the GIT_CONNECTION_ERROR flag); null when it was.</summary>
    public string? RepositoryError { get; set; }

    /// <summary>The last commit auto-deploy queued: each commit is queued once, so a failed one is not retried at every check.</summary>
    public string? AutoDeployedCommitId { get; set; }

    /// <summary>
    /// The service deployment whose release should be running (its build, settings and variables); null when the
    /// service should not run. The runtime starts it again after a restart of the portal.
    /// </summary>
    public Guid? LiveDeploymentId { get; set; }

    public Guid? OwnerId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    public void MarkDeployed(DateTimeOffset at)
    {
        DeployedAt = at;
        RestartNeeded = false;
    }
}

internal sealed class ApplicationConfiguration : IEntityTypeConfiguration<Application>
{
    public void Configure(EntityTypeBuilder<Application> builder)
    {
        builder.ToTable("application");
        builder.Property(a => a.Id).ValueGeneratedNever();
        builder.Property(a => a.State).HasConversion<string>().HasMaxLength(20);
        builder.Property(a => a.StateMessage).HasMaxLength(1000);
        builder.Property(a => a.Name).HasMaxLength(Names.MaxLength);
        builder.Property(a => a.LatestCommitId).HasMaxLength(64);
        builder.Property(a => a.AutoDeployedCommitId).HasMaxLength(64);
        builder.Property(a => a.RepositoryError).HasMaxLength(RepositoryChecks.MaxErrorLength);
        // The settings travel together (read whole, validated whole, snapshotted by deployments): one JSON document.
        builder.Property(a => a.Settings).HasJsonConversion();
        builder.HasOne(a => a.Environment).WithMany().HasForeignKey(a => a.EnvironmentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(a => new { a.EnvironmentId, a.Name });
    }
}
