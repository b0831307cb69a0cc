using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Platform.Domain.Common;
using Platform.Domain.Runtime;

namespace Platform.Domain.Variables;

/// <summary>A variable as resolved for a scope holder; <see cref="Value"/> is null for secrets unless asked for.</summary>
public sealed record ResolvedVariable(Guid Id, string Key, string? Value, VariableScope Scope, bool IsSecret, string? Description);

/// <summary>
/// The variables the platform makes (PRODUCT.md section 8), with readable names: the ids and names of the
/// project, environment and application, PORT, and each database's host, port, user, password, name and URL.
/// </summary>
public static class BuiltInVariables
{
    /// <param name="hasDatabases">False when the caller knows the holder's environment has no database: nothing more is read.</param>
    public static async Task<List<ResolvedVariable>> ForAsync(
        PlatformDbContext db, VariableHolder holder, IRuntimes runtimes, ISecretProtector protector, bool withSecretValues, CancellationToken cancellationToken,
        bool hasDatabases = true)
    {
        var variables = new List<ResolvedVariable>();
        void Add(string key, string value, bool secret = false, string? description = null) =>
            variables.Add(new ResolvedVariable(IdOf(holder.Id, key), key, secret && !withSecretValues ? null : value, VariableScope.BuiltIn, secret, description));

        // The names and the port came with the holder; only the environment's databases are read here.
        if (holder.ProjectId is { } projectId)
        {
            Add("PLATFORM_PROJECT_ID", projectId.ToString());
            Add("PLATFORM_PROJECT_NAME", holder.ProjectName!);
        }

        if (holder.EnvironmentId is { } environmentId)
        {
            Add("PLATFORM_ENVIRONMENT_ID", environmentId.ToString());
            Add("PLATFORM_ENVIRONMENT_NAME", holder.EnvironmentName!);
            // hasDatabases false: the caller read that the environment has none, with the holder.
            var databases = hasDatabases
                ? await db.Databases.AsNoTracking().Where(d => d.EnvironmentId == environmentId).OrderBy(d => d.Name).ToListAsync(cancellationToken)
                : [];
            // Where the environment's runtime lets its applications reach its databases (the local runtime: its sandboxes' relay).
            var server = databases.Count == 0 ? null : await (await runtimes.ForEnvironmentAsync(db, environmentId, cancellationToken)).DatabaseAddressAsync(cancellationToken);
            foreach (var database in databases)
            {
                var prefix = $"DATABASE_{VariableRules.UpperSnake(database.Name)}";
                // Decrypted only for the runtime: listings answer secrets without values.
                var password = withSecretValues && database.ProtectedPassword is not null ? protector.Unprotect(database.ProtectedPassword) : "";
                var port = server!.Port.ToString(CultureInfo.InvariantCulture);
                Add($"{prefix}_HOST", server.Host);
                Add($"{prefix}_PORT", port);
                Add($"{prefix}_USER", database.ServerName);
                Add($"{prefix}_NAME", database.ServerName);
                Add($"{prefix}_PASSWORD", password, secret: true, $"The password of database {database.Name}.");
                Add($"{prefix}_URL", $"postgresql://{database.ServerName}:{Uri.EscapeDataString(password)}@{server.Host}:{port}/{database.ServerName}",
                    secret: true, $"The connection URL of database {database.Name}, password included.");
            }
        }

        if (holder.ApplicationId is { } applicationId)
        {
            Add("PLATFORM_APPLICATION_ID", applicationId.ToString());
            Add("PLATFORM_APPLICATION_NAME", holder.Name);
            Add(VariableRules.PortKey, holder.ApplicationPort!.Value.ToString(CultureInfo.InvariantCulture));
        }

        return variables;
    }

    /// <summary>A stable id for a built-in variable, so clients can tell them apart between calls.</summary>
    public static Guid IdOf(Guid holderId, string key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"built-in:{holderId}:{key}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
