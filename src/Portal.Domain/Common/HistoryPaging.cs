using Microsoft.EntityFrameworkCore;

namespace Platform.Domain.Common;

/// <summary>An entry of a history list: a public id and a commit-ordered sequence to page on.</summary>
public interface ISequenced
{
    Guid Id { get; }

    long Sequence { get; }
}

public static class SequencedConfiguration
{
    /// <summary>
    /// A history table's keys, the same for every one: the id is made by the portal (UUIDv7), the sequence by the
    /// database, in commit order, as the alternate key that pages and lastId follow.
    /// </summary>
    public static Microsoft.EntityFrameworkCore.Metadata.Builders.EntityTypeBuilder<T> HasSequencedKeys<T>(
        this Microsoft.EntityFrameworkCore.Metadata.Builders.EntityTypeBuilder<T> builder)
        where T : class, ISequenced
    {
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.Sequence).UseIdentityAlwaysColumn();
        builder.HasAlternateKey(e => e.Sequence);
        return builder;
    }
}

/// <summary>
/// The paging rules of every history list, in one place: newest first by sequence with <c>tail</c> and
/// <c>page</c>; or with <c>lastId</c>, the entries after it, oldest first, at most 500. Both read an index
/// ending in the sequence, so their cost does not grow with the table: the page's sequences are chosen first, from
/// the list's index alone (its columns hold the list's filter), and only those rows are read. Asked as one query, for
/// a quiet list whose rows are old PostgreSQL preferred walking the whole table's sequence index backwards (those
/// pages are in physical order) and filtering — 198,000 rows read for 50 in the benchmark.
/// </summary>
public static class HistoryPaging
{
    public static Task<Result<HistoryPage<TView>>> PageAsync<TEntity, TView>(
        IQueryable<TEntity> scoped, HistoryQuery query, Func<IQueryable<TEntity>, IQueryable<TView>> select, CancellationToken cancellationToken = default)
        where TEntity : class, ISequenced =>
        PageAsync(scoped, query, select, null, cancellationToken);

    /// <param name="select">Turns the page's entries, in order, into views.</param>
    /// <param name="total">How many entries the list holds, when counting them would cost too much (logs keep a counter).</param>
    public static async Task<Result<HistoryPage<TView>>> PageAsync<TEntity, TView>(
        IQueryable<TEntity> scoped, HistoryQuery query, Func<IQueryable<TEntity>, IQueryable<TView>> select, Func<Task<int>>? total, CancellationToken cancellationToken)
        where TEntity : class, ISequenced
    {
        if (query.LastId is { } lastId)
        {
            var after = await scoped.Where(e => e.Id == lastId).Select(e => (long?)e.Sequence).FirstOrDefaultAsync(cancellationToken);
            if (after is null)
            {
                return DomainError.Validation("lastId", "lastId is not the id of an entry of this list.");
            }

            var newerKeys = scoped.Where(e => e.Sequence > after).OrderBy(e => e.Sequence).Take(HistoryQuery.MaxTail).Select(e => e.Sequence);
            var newer = await select(scoped.Where(e => newerKeys.Contains(e.Sequence)).OrderBy(e => e.Sequence))
                .ToListAsync(cancellationToken);
            return new HistoryPage<TView>(1, newer.Count, newer.Count, newer);
        }

        var keys = scoped.OrderByDescending(e => e.Sequence).Skip((query.Page - 1) * query.Tail).Take(query.Tail).Select(e => e.Sequence);
        var results = await select(scoped.Where(e => keys.Contains(e.Sequence)).OrderByDescending(e => e.Sequence))
            .ToListAsync(cancellationToken);
        // Counted after the page is read: entries committed between the two statements then raise the total, and the
        // total is never below what the page shows (counted first, a live list once answered total 0 beside its line).
        var count = total is null ? await scoped.CountAsync(cancellationToken) : await total();
        return new HistoryPage<TView>(query.Page, query.Tail, count, results);
    }
}
