using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Platform.Domain.Common;

namespace Platform.Domain.Logs;

public enum LogStream
{
    Stdout,
    Stderr,

    /// <summary>Lines the platform itself writes about a deployment or an instance.</summary>
    System,
}

/// <summary>A line printed by a build or an instance of an application (or a database's runtime), tied to its deployment.</summary>
public sealed class LogLine : ISequenced
{
    public const int MaxMessageLength = 8192;

    public Guid Id { get; init; } = Ids.New();

    /// <summary>Write order, for paging without gaps; one writer assigns it in batches.</summary>
    public long Sequence { get; init; }

    public Guid OrganizationId { get; init; }

    public Guid ServiceId { get; init; }

    /// <summary>The service deployment whose build or instance printed it.</summary>
    public Guid? DeploymentId { get; init; }

    /// <summary>"build", or the instance's id.</summary>
    public required string Instance { get; init; }

    public LogStream Stream { get; init; }

    public required string Message { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A line to keep; the sink adds the organization and writes in batches.</summary>
public sealed record LogEntry(Guid ServiceId, Guid? DeploymentId, string Instance, LogStream Stream, string Message, DateTimeOffset At);

/// <summary>Takes log lines without waiting on the database: a busy application must not cost a round trip per line.</summary>
public interface ILogSink
{
    void Write(LogEntry entry);
}

internal sealed class LogLineConfiguration : IEntityTypeConfiguration<LogLine>
{
    public void Configure(EntityTypeBuilder<LogLine> builder)
    {
        builder.ToTable("log_line");
        builder.HasSequencedKeys();
        builder.Property(l => l.Instance).HasMaxLength(64);
        builder.Property(l => l.Stream).HasConversion<string>().HasMaxLength(10);
        builder.Property(l => l.Message).HasMaxLength(LogLine.MaxMessageLength);
        // The organization is included so a page's keys come from the index alone (HistoryPaging).
        builder.HasIndex(l => new { l.ServiceId, l.Sequence }).IncludeProperties(l => l.OrganizationId);
        builder.HasIndex(l => new { l.DeploymentId, l.Sequence });
        // The text filter's trigram index on lower(message) is an expression index: migration LogMessageTrigramIndex makes it.
        builder.HasOne<Organizations.Organization>().WithMany().HasForeignKey(l => l.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>How many lines a service keeps, maintained by the writer and the retention job, so a page of logs never counts a million rows.</summary>
public sealed class LogCount
{
    public Guid ServiceId { get; init; }

    public long Lines { get; set; }
}

internal sealed class LogCountConfiguration : IEntityTypeConfiguration<LogCount>
{
    public void Configure(EntityTypeBuilder<LogCount> builder)
    {
        builder.ToTable("log_count");
        builder.HasKey(c => c.ServiceId);
        builder.Property(c => c.ServiceId).ValueGeneratedNever();
    }
}
