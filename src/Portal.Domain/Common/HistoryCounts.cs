using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Platform.Domain.Common;

/// <summary>
/// How many entries one history list holds (a list kind and its owner's id), so an unfiltered page's total is one
/// row read, not a count of a million. The database keeps the rows itself: statement triggers on event,
/// environment_deployment and service_deployment (migration HistoryCounts) add what each statement inserts and take
/// off what it deletes, cascades and COPY included, and drop a row that reaches zero. Code never writes them.
/// </summary>
public sealed class HistoryCount
{
    public required string List { get; init; }

    public Guid OwnerId { get; init; }

    public long Entries { get; init; }
}

/// <summary>The lists that keep a counter; the names are the ones the triggers write.</summary>
public static class HistoryList
{
    public const string EnvironmentEvents = "event_environment";

    public const string ServiceEvents = "event_service";

    public const string OrganizationEvents = "event_organization";

    public const string EnvironmentDeployments = "environment_deployment";

    public const string ServiceDeployments = "service_deployment";

    /// <summary>The total hook of <see cref="HistoryPaging"/> for an unfiltered list: its counter, zero when it has none.</summary>
    public static Func<Task<int>> Total(PlatformDbContext db, string list, Guid ownerId, CancellationToken cancellationToken) =>
        async () => (int)Math.Min(int.MaxValue, await db.HistoryCounts
            .Where(c => c.List == list && c.OwnerId == ownerId).Select(c => c.Entries).FirstOrDefaultAsync(cancellationToken));
}

internal sealed class HistoryCountConfiguration : IEntityTypeConfiguration<HistoryCount>
{
    public void Configure(EntityTypeBuilder<HistoryCount> builder)
    {
        builder.ToTable("history_count");
        builder.HasKey(c => new { c.List, c.OwnerId });
        builder.Property(c => c.List).HasMaxLength(30);
        builder.Property(c => c.OwnerId).ValueGeneratedNever();
    }
}
