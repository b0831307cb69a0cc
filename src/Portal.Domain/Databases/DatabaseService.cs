using Microsoft.EntityFrameworkCore;
using Platform.Domain.Access;
using Platform.Domain.Common;
using Platform.Domain.Environments;
using Platform.Domain.Services;

namespace Platform.Domain.Databases;

public sealed record DatabaseInput(string? Name, DatabaseType? Type, string? Version, DatabaseMode? Mode, int? Storage);

public sealed record DatabaseView(
    Guid Id,
    Guid EnvironmentId,
    string Name,
    DatabaseType Type,
    string Version,
    DatabaseMode Mode,
    int Storage,
    ServiceStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    ServiceSummary Summary);

public sealed class DatabaseService(IDbContextFactory<PlatformDbContext> dbFactory, TenantAccess access, EnvironmentLocks locks, EnvironmentService environments, Deployments.DeploymentService deployments, ISecretProtector protector)
{
    private static readonly string[] Versions = ["13", "14", "15", "16", "17"];

    public Task<Result<IReadOnlyList<DatabaseView>>> ListAsync(Caller caller, Guid environmentId, CancellationToken cancellationToken = default) =>
        access.WithAsync<IReadOnlyList<DatabaseView>>(caller, Resource.Environment(environmentId), Permission.Read, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var databases = await db.Databases.AsNoTracking().Where(d => d.EnvironmentId == environmentId).OrderBy(d => d.Name).ToListAsync(cancellationToken);
            return await ViewsAsync(db, databases, cancellationToken);
        }, cancellationToken);

    public Task<Result<DatabaseView>> GetAsync(Caller caller, Guid id, CancellationToken cancellationToken = default) =>
        access.WithAsync<DatabaseView>(caller, Resource.Database(id), Permission.Read, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            return await ViewAsync(db, await db.Databases.AsNoTracking().FirstAsync(d => d.Id == id, cancellationToken), cancellationToken);
        }, cancellationToken);

    public async Task<Result<DatabaseView>> CreateAsync(Caller caller, Guid environmentId, DatabaseInput input)
    {
        var found = await locks.FindChangeableAsync(caller, environmentId);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }

        await using var change = found.Value;
        var database = new ManagedDatabase
        {
            EnvironmentId = environmentId,
            Name = input.Name?.Trim() ?? "",
            Type = input.Type ?? DatabaseType.Postgresql,
            Version = input.Version?.Trim() ?? "15",
            Mode = input.Mode ?? DatabaseMode.Container,
            Storage = input.Storage ?? 10,
            StateMessage = "Not deployed yet.",
            ProtectedPassword = ManagedDatabase.NewProtectedPassword(protector),
            OwnerId = caller.UserId,
            CreatedAt = change.Now,
            UpdatedAt = change.Now,
        };
        if (await ValidateAsync(change.Db, database) is { } invalid)
        {
            return invalid;
        }

        change.Db.Databases.Add(database);
        await change.SaveAsync(EnvironmentService.Subject(change.Access.OrganizationId, database), "CREATED", $"Database {database.Name} created.");
        return await ViewAsync(change.Db, database, CancellationToken.None);
    }

    public async Task<Result<DatabaseView>> UpdateAsync(Caller caller, Guid id, DatabaseInput input)
    {
        var found = await locks.FindChangeableForServiceAsync(caller, Resource.Database(id));
        if (!found.IsSuccess)
        {
            return found.Error!;
        }

        await using var change = found.Value;
        var database = await change.Db.Databases.FirstAsync(d => d.Id == id);
        database.Name = input.Name?.Trim() ?? database.Name;
        database.Type = input.Type ?? database.Type;
        database.Version = input.Version?.Trim() ?? database.Version;
        database.Mode = input.Mode ?? database.Mode;
        database.Storage = input.Storage ?? database.Storage;
        if (await ValidateAsync(change.Db, database) is { } invalid)
        {
            return invalid;
        }

        database.UpdatedAt = change.Now;
        await change.SaveAsync(EnvironmentService.Subject(change.Access.OrganizationId, database), "UPDATED", $"Database {database.Name} settings changed.");
        return await ViewAsync(change.Db, database, CancellationToken.None);
    }

    /// <summary>Deletes the database through a DELETE deployment (dropped with its data and role, then its row); answers once that ended.</summary>
    public async Task<Result<bool>> DeleteAsync(Caller caller, Guid id)
    {
        var queued = await deployments.QueueDeletionAsync(caller, Resource.Database(id));
        return queued.IsSuccess ? await environments.WaitForAsync(queued.Value, "deleting the database") : queued.Error!;
    }

    private static async Task<DomainError?> ValidateAsync(PlatformDbContext db, ManagedDatabase database)
    {
        var errors = new Dictionary<string, string[]>();
        Names.Check(errors, "name", database.Name);

        if (!Versions.Contains(database.Version))
        {
            errors["version"] = [$"PostgreSQL versions: {string.Join(", ", Versions)}."];
        }

        if (database.Mode != DatabaseMode.Container)
        {
            errors["mode"] = ["The local runtime runs databases in CONTAINER mode; MANAGED needs a cloud cluster."];
        }

        if (database.Storage is < 1 or > ManagedDatabase.MaxStorageGb)
        {
            errors["storage"] = [$"Storage is in GB, from 1 to {ManagedDatabase.MaxStorageGb}."];
        }

        if (errors.Count > 0)
        {
            return DomainError.Validation(errors);
        }

        return await ServiceCatalog.NameConflictAsync(db, database.EnvironmentId, database.Name, database.Id);
    }

    private static async Task<DatabaseView> ViewAsync(PlatformDbContext db, ManagedDatabase database, CancellationToken cancellationToken) =>
        (await ViewsAsync(db, [database], cancellationToken))[0];

    private static async Task<List<DatabaseView>> ViewsAsync(PlatformDbContext db, IReadOnlyList<ManagedDatabase> databases, CancellationToken cancellationToken)
    {
        var summaries = await ServiceSummary.ForAsync(db, [.. databases.Select(d => (d.Id, d.State, d.LiveDeploymentId))], cancellationToken);
        return databases.Select(d => new DatabaseView(d.Id, d.EnvironmentId, d.Name, d.Type, d.Version, d.Mode, d.Storage,
            ServiceStatus.Of(d.State, d.StateMessage, d.LiveDeploymentId is not null && d.State != ServiceState.Stopped), d.CreatedAt, d.UpdatedAt, summaries[d.Id])).ToList();
    }
}
