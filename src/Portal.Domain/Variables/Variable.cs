using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Applications;
using Platform.Domain.Common;
using Platform.Domain.Environments;
using Platform.Domain.Organizations;
using Platform.Domain.Projects;

namespace Platform.Domain.Variables;

/// <summary>From the widest: the nearest scope wins for a key.</summary>
public enum VariableScope
{
    BuiltIn,
    Organization,
    Project,
    Environment,
    Application,
}

/// <summary>
/// A variable or a secret set by a user on one scope holder (an organization, project, environment or
/// application). A secret's value is stored only encrypted, in <see cref="ProtectedValue"/>.
/// </summary>
public sealed class Variable
{
    public const int MaxKeyLength = 255;
    public const int MaxValueLength = 64 * 1024;
    public const int MaxDescriptionLength = 500;

    public Guid Id { get; init; } = Ids.New();

    public Guid OrganizationId { get; init; }

    public Organization? Organization { get; init; }

    public Guid? ProjectId { get; init; }

    public Project? Project { get; init; }

    public Guid? EnvironmentId { get; init; }

    public ProjectEnvironment? Environment { get; init; }

    public Guid? ApplicationId { get; init; }

    public Application? Application { get; init; }

    public VariableScope Scope { get; init; }

    public required string Key { get; set; }

    public bool IsSecret { get; init; }

    /// <summary>The value of a plain variable; null for a secret.</summary>
    public string? Value { get; set; }

    /// <summary>The encrypted value of a secret (ASP.NET Core Data Protection; the key is not in the database).</summary>
    public string? ProtectedValue { get; set; }

    public string? Description { get; set; }

    public Guid? OwnerId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The same key and value (a secret stays encrypted) on a cloned environment or application.</summary>
    public Variable CopyTo(Guid projectId, Guid environmentId, Guid? applicationId, Guid ownerId, DateTimeOffset now) => new()
    {
        OrganizationId = OrganizationId,
        ProjectId = projectId,
        EnvironmentId = environmentId,
        ApplicationId = applicationId,
        Scope = Scope,
        Key = Key,
        IsSecret = IsSecret,
        Value = Value,
        ProtectedValue = ProtectedValue,
        Description = Description,
        OwnerId = ownerId,
        CreatedAt = now,
        UpdatedAt = now,
    };
}

internal sealed class VariableConfiguration : IEntityTypeConfiguration<Variable>
{
    public void Configure(EntityTypeBuilder<Variable> builder)
    {
        builder.ToTable("variable");
        builder.Property(v => v.Id).ValueGeneratedNever();
        builder.Property(v => v.Scope).HasConversion<string>().HasMaxLength(20);
        builder.Property(v => v.Key).HasMaxLength(Variable.MaxKeyLength);
        builder.Property(v => v.Description).HasMaxLength(Variable.MaxDescriptionLength);
        // Keys are unique per scope holder, variables and secrets together.
        builder.HasIndex(v => new { v.OrganizationId, v.ProjectId, v.EnvironmentId, v.ApplicationId, v.Key }).IsUnique().AreNullsDistinct(false);
        builder.HasOne(v => v.Organization).WithMany().HasForeignKey(v => v.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(v => v.Project).WithMany().HasForeignKey(v => v.ProjectId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(v => v.Environment).WithMany().HasForeignKey(v => v.EnvironmentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(v => v.Application).WithMany().HasForeignKey(v => v.ApplicationId).OnDelete(DeleteBehavior.Cascade);
    }
}
