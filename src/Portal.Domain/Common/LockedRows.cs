using Microsoft.EntityFrameworkCore;

namespace Platform.Domain.Common;

public static class LockedRows
{
    /// <summary>
    /// The row a locking query (FromSql … FOR UPDATE) selects, or null. Its SQL already picks at most one row, so
    /// nothing is composed around it: FirstOrDefault would wrap it in a LIMIT that EF warns about.
    /// </summary>
    public static async Task<T?> OneOrNoneAsync<T>(this IQueryable<T> locked, CancellationToken cancellationToken = default)
        where T : class =>
        (await locked.ToListAsync(cancellationToken)).SingleOrDefault();
}
