using Microsoft.EntityFrameworkCore;
using Platform.Domain.Common;

namespace Platform.Domain.Services;

/// <summary>Rules that applications and databases share as members of one environment.</summary>
public static class ServiceCatalog
{
    /// <summary>Service names are unique within an environment, across applications and databases.</summary>
    public static async Task<DomainError?> NameConflictAsync(PlatformDbContext db, Guid environmentId, string name, Guid? exceptId)
    {
        var taken = await db.Applications.AnyAsync(a => a.EnvironmentId == environmentId && a.Name == name && a.Id != exceptId)
            || await db.Databases.AnyAsync(d => d.EnvironmentId == environmentId && d.Name == name && d.Id != exceptId);
        return taken ? DomainError.Conflict($"A service named \"{name}\" already exists in this environment.") : null;
    }
}
