using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore.Query;
using Platform.Domain.Access;
using Platform.Domain.Events;
using Platform.Domain.Users;

namespace Platform.Domain.Common;

/// <summary>A history entry that names who caused it; the user may since have been deleted.</summary>
public interface IOwned
{
    Guid? OwnerId { get; }
}

public static class Owners
{
    /// <summary>The owner's user, or the platform's actor the id names (<see cref="SystemActors"/>), or null.</summary>
    private static readonly Expression<Func<Guid?, PlatformUser?, Person?>> PersonOf = (id, u) => u != null ? new Person(u.Id, u.FirstName + " " + u.LastName)
        : id == SystemActors.AutoDeployId ? new Person(SystemActors.AutoDeployId, SystemActors.AutoDeployName)
        : null;

    /// <summary>
    /// Projects each entry with its owner (a user, or a platform actor by its name; null when there is none, or the user was deleted), read by a plain LEFT JOIN
    /// on the user's key. A correlated FirstOrDefault in the projection would number every user's rows instead.
    /// </summary>
    public static IQueryable<TView> SelectWithOwner<TEntity, TView>(this IQueryable<TEntity> source, PlatformDbContext db, Expression<Func<TEntity, Person?, TView>> view)
        where TEntity : class, IOwned
    {
        var user = Expression.Parameter(typeof(PlatformUser), "user");
        var ownerId = Expression.Property(view.Parameters[0], nameof(IOwned.OwnerId));
        var owner = new ReplacingExpressionVisitor([PersonOf.Parameters[0], PersonOf.Parameters[1]], [ownerId, user]).Visit(PersonOf.Body);
        var selector = Expression.Lambda<Func<TEntity, PlatformUser?, TView>>(ReplacingExpressionVisitor.Replace(view.Parameters[1], owner, view.Body), view.Parameters[0], user);
        return source.SelectMany(e => db.Users.Where(u => u.Id == e.OwnerId).DefaultIfEmpty(), selector);
    }
}
