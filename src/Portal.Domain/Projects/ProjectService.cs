using Microsoft.EntityFrameworkCore;
using Platform.Domain.Access;
using Platform.Domain.Common;
using Platform.Domain.Environments;

namespace Platform.Domain.Projects;

public sealed record ProjectInput(string? Name, string? Description);

public sealed record ProjectView(Guid Id, Guid OrganizationId, string Name, string? Description, int TotalEnvironments, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed class ProjectService(IDbContextFactory<PlatformDbContext> dbFactory, TenantAccess access, EnvironmentService environments, TimeProvider clock)
{
    public Task<Result<IReadOnlyList<ProjectView>>> ListAsync(Caller caller, Guid organizationId, CancellationToken cancellationToken = default) =>
        access.WithAsync<IReadOnlyList<ProjectView>>(caller, Resource.Organization(organizationId), Permission.Read, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            return await Views(db, db.Projects.Where(p => p.OrganizationId == organizationId).OrderBy(p => p.Name)).ToListAsync(cancellationToken);
        }, cancellationToken);

    public Task<Result<ProjectView>> CreateAsync(Caller caller, Guid organizationId, ProjectInput input) =>
        access.WithAsync<ProjectView>(caller, Resource.Organization(organizationId), Permission.ManageProjects, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            if (await ValidateAsync(db, organizationId, input, exceptId: null) is { } invalid)
            {
                return invalid;
            }

            var now = clock.GetUtcNow();
            var project = new Project
            {
                OrganizationId = organizationId,
                Name = input.Name!.Trim(),
                Description = Validation.Clean(input.Description),
                OwnerId = caller.UserId,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Projects.Add(project);
            await db.SaveChangesAsync();
            return await Views(db, db.Projects.Where(p => p.Id == project.Id)).FirstAsync();
        });

    public Task<Result<ProjectView>> GetAsync(Caller caller, Guid id, CancellationToken cancellationToken = default) =>
        access.WithAsync<ProjectView>(caller, Resource.Project(id), Permission.Read, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            return await Views(db, db.Projects.Where(p => p.Id == id)).FirstAsync(cancellationToken);
        }, cancellationToken);

    public Task<Result<ProjectView>> UpdateAsync(Caller caller, Guid id, ProjectInput input) =>
        access.WithAsync<ProjectView>(caller, Resource.Project(id), Permission.ManageProjects, async granted =>
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            if (await ValidateAsync(db, granted.OrganizationId, input, exceptId: id) is { } invalid)
            {
                return invalid;
            }

            var project = await db.Projects.FirstAsync(p => p.Id == id);
            project.Name = input.Name!.Trim();
            project.Description = Validation.Clean(input.Description);
            project.UpdatedAt = clock.GetUtcNow();
            await db.SaveChangesAsync();
            return await Views(db, db.Projects.Where(p => p.Id == id)).FirstAsync();
        });

    /// <summary>Deletes the project: its environments first, each through the queue (their services stopped and dropped), then the project.</summary>
    public Task<Result<bool>> DeleteAsync(Caller caller, Guid id) =>
        access.WithAsync<bool>(caller, Resource.Project(id), Permission.ManageProjects, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var deleted = await environments.DeleteAllAsync(caller, await db.Environments.Where(e => e.ProjectId == id).Select(e => e.Id).ToListAsync());
            if (!deleted.IsSuccess)
            {
                return deleted.Error!;
            }

            await db.Projects.Where(p => p.Id == id).ExecuteDeleteAsync();
            return true;
        });

    private static IQueryable<ProjectView> Views(PlatformDbContext db, IQueryable<Project> projects) =>
        projects.Select(p => new ProjectView(
            p.Id, p.OrganizationId, p.Name, p.Description, db.Environments.Count(e => e.ProjectId == p.Id), p.CreatedAt, p.UpdatedAt));

    private static async Task<DomainError?> ValidateAsync(PlatformDbContext db, Guid organizationId, ProjectInput input, Guid? exceptId)
    {
        var errors = new Dictionary<string, string[]>();
        var current = exceptId is null ? null : await db.Projects.Where(p => p.Id == exceptId).Select(p => p.Name).FirstAsync();
        Names.Check(errors, "name", input.Name, current);
        Validation.LimitText(errors, "description", input.Description, "Description", Project.MaxDescriptionLength);
        if (errors.Count > 0)
        {
            return DomainError.Validation(errors);
        }

        var name = input.Name!.Trim();
        return await db.Projects.AnyAsync(p => p.OrganizationId == organizationId && p.Name == name && p.Id != exceptId)
            ? DomainError.Conflict("name", $"A project named \"{name}\" already exists in this organization.")
            : null;
    }
}
