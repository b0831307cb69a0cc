using Microsoft.EntityFrameworkCore;
using Platform.Domain.Common;
using Platform.Domain.Variables;

namespace Platform.Domain.Services;

/// <summary>Rules that applications and databases share as members of one environment.</summary>
public static class ServiceCatalog
{
    /// <summary>
    /// Service names are unique within an environment, across applications and databases, as the variable names
    /// they become: "main-db" and "Main_DB" would both be DATABASE_MAIN_DB_….
    /// </summary>
    public static async Task<DomainError?> NameConflictAsync(PlatformDbContext db, Guid environmentId, string name, Guid? exceptId)
    {
        var names = await db.Applications.Where(a => a.EnvironmentId == environmentId && a.Id != exceptId).Select(a => a.Name)
            .Concat(db.Databases.Where(d => d.EnvironmentId == environmentId && d.Id != exceptId).Select(d => d.Name))
            .ToListAsync();
        var key = VariableRules.UpperSnake(name);
        var taken = names.FirstOrDefault(n => VariableRules.UpperSnake(n) == key);
        return taken is null ? null : DomainError.Conflict("name", $"A service named \"{taken}\" already exists in this environment.");
    }
}
