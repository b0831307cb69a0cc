using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Common;
using Platform.Domain.Environments;
using Platform.Domain.Services;

namespace Platform.Domain.Databases;

public enum DatabaseType
{
    Postgresql,
}

public enum DatabaseMode
{
    /// <summary>Run by the environment's runtime (the local runtime: on its PostgreSQL server).</summary>
    Container,

    /// <summary>A cloud provider's managed service (a later runtime).</summary>
    Managed,
}

/// <summary>A database of an environment (named so as not to collide with EF Core's Database).</summary>
public sealed class ManagedDatabase : IDeployedService
{
    public const int MaxStorageGb = 1024;

    public Guid Id { get; init; } = Ids.New();

    public Guid EnvironmentId { get; init; }

    public ProjectEnvironment? Environment { get; init; }

    public required string Name { get; set; }

    public DatabaseType Type { get; set; }

    public required string Version { get; set; }

    public DatabaseMode Mode { get; set; }

    public int Storage { get; set; }

    /// <summary>The password of the database's role, encrypted like a secret; made with the database.</summary>
    public string? ProtectedPassword { get; set; }

    /// <summary>A new random password for the database's role, encrypted for storage.</summary>
    public static string NewProtectedPassword(Common.ISecretProtector protector) =>
        protector.Protect(Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)).ToLowerInvariant());

    /// <summary>What the runtime needs to create, stop or drop it.</summary>
    public Runtime.DatabaseOrder RuntimeOrder(Common.ISecretProtector protector) => new(Id, ServerName, protector.Unprotect(ProtectedPassword!));

    /// <summary>The role and the database on the runtime's PostgreSQL server: stable, and safe as identifiers.</summary>
    public string ServerName => $"db_{Id:N}";

    public ServiceState State { get; set; } = ServiceState.Stopped;

    public string? StateMessage { get; set; }

    /// <summary>
    /// The service deployment whose release should be running (its build, settings and variables); null when the
    /// service should not run. The runtime starts it again after a restart of the portal.
    /// </summary>
    public Guid? LiveDeploymentId { get; set; }

    public Guid? OwnerId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Nothing waits on a database's deployment.</summary>
    public void MarkDeployed(DateTimeOffset at)
    {
    }
}

internal sealed class ManagedDatabaseConfiguration : IEntityTypeConfiguration<ManagedDatabase>
{
    public void Configure(EntityTypeBuilder<ManagedDatabase> builder)
    {
        builder.ToTable("_database");
        builder.Property(d => d.Id).ValueGeneratedNever();
        builder.Property(d => d.Name).HasMaxLength(Names.MaxLength);
        builder.Property(d => d.Type).HasConversion<string>().HasMaxLength(20);
        builder.Property(d => d.Mode).HasConversion<string>().HasMaxLength(20);
        builder.Property(d => d.Version).HasMaxLength(10);
        builder.Property(d => d.State).HasConversion<string>().HasMaxLength(20);
        builder.Property(d => d.StateMessage).HasMaxLength(1000);
        builder.Ignore(d => d.ServerName);
        builder.HasOne(d => d.Environment).WithMany().HasForeignKey(d => d.EnvironmentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(d => d.EnvironmentId);
    }
}
