using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Applications;
using Platform.Domain.Common;
using Platform.Domain.Services;

namespace Platform.Domain.Deployments;

/// <summary>The deployment states of PRODUCT.md section 5.</summary>
public enum DeploymentState
{
    Queued,
    DeploymentInProgress,
    Ok,
    Failed,
    Aborting,
    Aborted,
}

/// <summary>What an environment deployment was asked to do.</summary>
public enum DeploymentKind
{
    Deploy,
    Stop,
    Restart,
    Rollback,

    /// <summary>Its services stop because the environment was archived.</summary>
    Archive,

    /// <summary>Some of its services are deleted: their instances stopped and files removed, or their databases dropped; then their rows.</summary>
    Delete,

    /// <summary>The environment is deleted: every service as for <see cref="Delete"/>, then the environment itself.</summary>
    DeleteEnvironment,

    /// <summary>After a restart of the portal, the services that ran start again from the release they ran.</summary>
    Restore,
}

/// <summary>What a service deployment does to its service.</summary>
public enum ServiceAction
{
    Deploy,
    Stop,
    Restart,
    Delete,
}

/// <summary>
/// The deployment states that belong together, in one place for the code, the SQL and the index filter alike:
/// <see cref="Active"/> holds an environment (nothing else may change what runs there), <see cref="Running"/> is
/// being carried out by the engine now, and a finished deployment is one of <see cref="Finished"/>.
/// </summary>
public static class DeploymentStates
{
    public static readonly IReadOnlyList<DeploymentState> Active = [DeploymentState.Queued, DeploymentState.DeploymentInProgress, DeploymentState.Aborting];

    public static readonly IReadOnlyList<DeploymentState> Running = [DeploymentState.DeploymentInProgress, DeploymentState.Aborting];

    public static readonly IReadOnlyList<DeploymentState> Finished = [DeploymentState.Ok, DeploymentState.Failed, DeploymentState.Aborted];

    public static bool IsActive(DeploymentState state) => Active.Contains(state);

    public static bool IsFinished(DeploymentState state) => Finished.Contains(state);

    /// <summary>A set as SQL sees the column (enum names): <c>'Queued', 'DeploymentInProgress', 'Aborting'</c>.</summary>
    public static string Sql(IEnumerable<DeploymentState> states) => string.Join(", ", states.Select(s => $"'{s}'"));

    /// <summary>How a deployment's steps end with it: done, aborted, or failed (the step running failed, the rest skipped).</summary>
    public static StepState StepsEnd(DeploymentState state) => state switch
    {
        DeploymentState.Ok => StepState.Done,
        DeploymentState.Aborted => StepState.Aborted,
        _ => StepState.Failed,
    };
}

public enum StepState
{
    Pending,
    Running,
    Done,
    Failed,
    Skipped,
    Aborted,
}

/// <summary>One step of a service deployment (fetch, build, start, switch…), with its timing.</summary>
public sealed record DeploymentStep(string Name, StepState State, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

/// <summary>A service as a successful environment deployment left it: the release it ran, or stopped.</summary>
public sealed record SnapshotEntry(ServiceType Type, Guid ServiceId, string Name, Guid? LiveDeploymentId);

/// <summary>
/// Every request that changes what runs in an environment (deploy, stop, restart, rollback, of one service or all):
/// the unit that queues, one in progress per environment, that abort aborts and that rollback names.
/// </summary>
public sealed class EnvironmentDeployment : ISequenced, IOwned
{
    public Guid Id { get; init; } = Ids.New();

    public long Sequence { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid EnvironmentId { get; init; }

    public DeploymentKind Kind { get; init; }

    public DeploymentState State { get; set; } = DeploymentState.Queued;

    public string? Message { get; set; }

    /// <summary>For a rollback, the deployment whose snapshot it restores.</summary>
    public Guid? RollbackOfId { get; init; }

    /// <summary>The environment as this deployment left it when it succeeded: what a rollback restores.</summary>
    public IReadOnlyList<SnapshotEntry>? Snapshot { get; set; }

    public Guid? OwnerId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public List<ServiceDeployment> Services { get; init; } = [];

    /// <summary>Ends it: its state, its message (cut to the column), when.</summary>
    public void End(DeploymentState state, string message, DateTimeOffset now)
    {
        State = state;
        Message = Texts.Cut(message, DeploymentColumns.MaxMessageLength);
        FinishedAt = now;
    }
}

/// <summary>
/// What one environment deployment does to one service (the draft's application_deployment and
/// database_deployment). A deploy records the commit, settings and resolved variables it ran with, so that a
/// rollback can run exactly that again.
/// </summary>
public sealed class ServiceDeployment : ISequenced, IOwned
{
    public Guid Id { get; init; } = Ids.New();

    public long Sequence { get; init; }

    /// <summary>
    /// Where the service runs within its deployment: databases first, then applications, each by name.
    /// Kept explicitly rather than read from the insert sequence, which follows EF Core's ordering of keys.
    /// </summary>
    public int Position { get; init; }

    public Guid EnvironmentDeploymentId { get; init; }

    public EnvironmentDeployment? EnvironmentDeployment { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid EnvironmentId { get; init; }

    public ServiceType ServiceType { get; init; }

    public Guid ServiceId { get; init; }

    public required string ServiceName { get; init; }

    public ServiceAction Action { get; init; }

    public DeploymentState State { get; set; } = DeploymentState.Queued;

    public string? Message { get; set; }

    /// <summary>The commit asked for; null deploys the branch head.</summary>
    public string? RequestedCommitId { get; init; }

    /// <summary>A rollback runs this earlier deployment's release again.</summary>
    public Guid? SourceDeploymentId { get; init; }

    public string? CommitShortId { get; set; }

    public string? CommitLongId { get; set; }

    public string? CommitMessage { get; set; }

    /// <summary>The settings the release ran with (applications).</summary>
    public ApplicationSettings? Settings { get; set; }

    /// <summary>The resolved variables the release ran with, secrets included, encrypted as one value.</summary>
    public string? ProtectedVariables { get; set; }

    /// <summary>The repository secret that goes with <see cref="Settings"/>, still encrypted (<see cref="Application.ProtectedGitSecret"/>).</summary>
    public string? ProtectedGitSecret { get; set; }

    /// <summary>The kept build the release runs from.</summary>
    public string? BuildId { get; set; }

    /// <summary>The service's state when this was queued, to return to when it is aborted.</summary>
    public ServiceState PreviousState { get; init; }

    public string? PreviousMessage { get; init; }

    public IReadOnlyList<DeploymentStep> Steps { get; set; } = [];

    public Guid? OwnerId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Ends it: its state and message, when, and its steps (the one running ends as the deployment did; those left are skipped).</summary>
    public void End(DeploymentState state, string message, DateTimeOffset now)
    {
        State = state;
        Message = Texts.Cut(message, DeploymentColumns.MaxMessageLength);
        FinishedAt = now;
        Steps = DeploymentSteps.Close(Steps, DeploymentStates.StepsEnd(state), now);
    }
}

/// <summary>Limits of the deployment tables' columns.</summary>
internal static class DeploymentColumns
{
    public const int MaxMessageLength = 2000;
}

internal sealed class EnvironmentDeploymentConfiguration : IEntityTypeConfiguration<EnvironmentDeployment>
{
    public void Configure(EntityTypeBuilder<EnvironmentDeployment> builder)
    {
        builder.ToTable("environment_deployment");
        builder.HasSequencedKeys();
        builder.Property(d => d.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(d => d.State).HasConversion<string>().HasMaxLength(30);
        builder.Property(d => d.Message).HasMaxLength(DeploymentColumns.MaxMessageLength);
        builder.Property(d => d.Snapshot).HasJsonConversion();
        builder.HasIndex(d => new { d.EnvironmentId, d.Sequence });
        builder.HasIndex(d => d.State).HasFilter($"state IN ({DeploymentStates.Sql(DeploymentStates.Active)})");
        builder.HasOne<Environments.ProjectEnvironment>().WithMany().HasForeignKey(d => d.EnvironmentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(d => d.Services).WithOne(s => s.EnvironmentDeployment).HasForeignKey(s => s.EnvironmentDeploymentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ServiceDeploymentConfiguration : IEntityTypeConfiguration<ServiceDeployment>
{
    public void Configure(EntityTypeBuilder<ServiceDeployment> builder)
    {
        builder.ToTable("service_deployment");
        builder.HasSequencedKeys();
        builder.Property(d => d.ServiceType).HasConversion<string>().HasMaxLength(20);
        builder.Property(d => d.ServiceName).HasMaxLength(Names.MaxLength);
        builder.Property(d => d.Action).HasConversion<string>().HasMaxLength(20);
        builder.Property(d => d.State).HasConversion<string>().HasMaxLength(30);
        builder.Property(d => d.PreviousState).HasConversion<string>().HasMaxLength(20);
        builder.Property(d => d.PreviousMessage).HasMaxLength(1000);
        builder.Property(d => d.Message).HasMaxLength(DeploymentColumns.MaxMessageLength);
        builder.Property(d => d.RequestedCommitId).HasMaxLength(64);
        builder.Property(d => d.CommitShortId).HasMaxLength(12);
        builder.Property(d => d.CommitLongId).HasMaxLength(64);
        builder.Property(d => d.CommitMessage).HasMaxLength(1000);
        builder.Property(d => d.BuildId).HasMaxLength(100);
        builder.Property(d => d.Settings).HasJsonConversion();
        builder.Property(d => d.Steps).HasJsonConversion();
        builder.HasIndex(d => new { d.ServiceId, d.Sequence });
    }
}
