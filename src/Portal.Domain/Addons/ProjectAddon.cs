using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Common;
using Platform.Domain.Projects;

namespace Platform.Domain.Addons;

/// <summary>The addons of the catalogue; a project installs each at most once.</summary>
public enum AddonKind
{
    Slack,
    Webhook,
    Email,
}

/// <summary>
/// An addon installed on a project: which of its environments it hears about, and its settings. Public settings
/// are kept as they are; secret ones (URLs that carry a token, signing secrets, keys) only encrypted, as one JSON
/// object through <see cref="ISecretProtector"/>, and are never answered in clear.
/// </summary>
public sealed class ProjectAddon
{
    public const int MaxRegexLength = 500;

    public Guid Id { get; init; } = Ids.New();

    public Guid OrganizationId { get; init; }

    public Guid ProjectId { get; init; }

    public Project? Project { get; init; }

    public AddonKind Kind { get; init; }

    /// <summary>Environments whose name matches receive notifications; always evaluated with a match timeout.</summary>
    public required string MatchingEnvironmentsRegex { get; set; }

    /// <summary>Settings that are not secret, by their API name (snake_case).</summary>
    public Dictionary<string, string> Settings { get; set; } = [];

    /// <summary>The secret settings as one protected JSON object of name → value; null when it has none.</summary>
    public string? ProtectedSecrets { get; set; }

    public Guid? InstalledBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class ProjectAddonConfiguration : IEntityTypeConfiguration<ProjectAddon>
{
    public void Configure(EntityTypeBuilder<ProjectAddon> builder)
    {
        builder.ToTable("project_addon");
        builder.Property(a => a.Id).ValueGeneratedNever();
        builder.Property(a => a.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(a => a.MatchingEnvironmentsRegex).HasMaxLength(ProjectAddon.MaxRegexLength);
        builder.Property(a => a.Settings).HasJsonConversion();
        builder.HasIndex(a => new { a.ProjectId, a.Kind }).IsUnique();
        builder.HasOne(a => a.Project).WithMany().HasForeignKey(a => a.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
