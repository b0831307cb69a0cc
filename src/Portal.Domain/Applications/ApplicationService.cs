using Microsoft.EntityFrameworkCore;
using Platform.Domain.Access;
using Platform.Domain.Common;
using Platform.Domain.Environments;
using Platform.Domain.Runtime;
using Platform.Domain.Services;

namespace Platform.Domain.Applications;

/// <summary>
/// An application as answered: its settings, status, the router address once deployed (null before), its flags
/// (GIT_CONNECTION_ERROR, UPDATE_AVAILABLE, RESTART_NEEDED) with what each means for it, and what the repository
/// check found last.
/// </summary>
public sealed record ApplicationView(
    Guid Id,
    Guid EnvironmentId,
    ApplicationSettings Settings,
    ServiceStatus Status,
    IReadOnlyList<FlagDetail> FlagDetails,
    RepositoryCheck RepositoryCheck,
    Uri? Url,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    ServiceSummary Summary)
{
    public IReadOnlyList<string> Flags => [.. FlagDetails.Select(f => f.Flag)];
}

public sealed class ApplicationService(
    IDbContextFactory<PlatformDbContext> dbFactory, TenantAccess access, EnvironmentLocks locks, EnvironmentService environments, Deployments.DeploymentService deployments, ISecretProtector protector, IRuntimes runtimes)
{
    public Task<Result<IReadOnlyList<ApplicationView>>> ListAsync(Caller caller, Guid environmentId, CancellationToken cancellationToken = default) =>
        access.WithAsync<IReadOnlyList<ApplicationView>>(caller, Resource.Environment(environmentId), Permission.Read, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var applications = await db.Applications.AsNoTracking().Where(a => a.EnvironmentId == environmentId).OrderBy(a => a.Name).ToListAsync(cancellationToken);
            var runtime = await runtimes.ForEnvironmentAsync(db, environmentId, cancellationToken);
            var deployed = await ApplicationFlags.DeployedCommitsAsync(db, [.. applications.Select(a => a.Id)], cancellationToken);
            var summaries = await ServiceSummary.ForAsync(db, [.. applications.Select(a => (a.Id, a.State, a.LiveDeploymentId))], cancellationToken);
            var views = new List<ApplicationView>();
            foreach (var application in applications)
            {
                views.Add(await ViewAsync(application, runtime, deployed.GetValueOrDefault(application.Id), summaries[application.Id], cancellationToken));
            }

            return views;
        }, cancellationToken);

    public Task<Result<ApplicationView>> GetAsync(Caller caller, Guid id, CancellationToken cancellationToken = default) =>
        access.WithAsync<ApplicationView>(caller, Resource.Application(id), Permission.Read, async _ =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var application = await db.Applications.AsNoTracking().FirstAsync(a => a.Id == id, cancellationToken);
            return await ViewAsync(db, application, cancellationToken);
        }, cancellationToken);

    public async Task<Result<ApplicationView>> CreateAsync(Caller caller, Guid environmentId, ApplicationInput input)
    {
        var found = await locks.FindChangeableAsync(caller, environmentId);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }

        await using var change = found.Value;
        var (settings, gitSecret, errors) = ApplicationRules.Resolve(input, current: null);
        if (errors.Count > 0)
        {
            return DomainError.Validation(errors);
        }

        if (await ServiceCatalog.NameConflictAsync(change.Db, environmentId, settings.Name, exceptId: null) is { } conflict)
        {
            return conflict;
        }

        var application = new Application
        {
            EnvironmentId = environmentId,
            Settings = settings,
            ProtectedGitSecret = gitSecret.Apply(null, protector),
            StateMessage = "Not deployed yet.",
            OwnerId = caller.UserId,
            CreatedAt = change.Now,
            UpdatedAt = change.Now,
        };
        change.Db.Applications.Add(application);
        await change.SaveAsync(EnvironmentService.Subject(change.Access.OrganizationId, application), "CREATED", $"Application {settings.Name} created.");
        return await ViewAsync(change.Db, application, CancellationToken.None);
    }

    public async Task<Result<ApplicationView>> UpdateAsync(Caller caller, Guid id, ApplicationInput input)
    {
        var found = await locks.FindChangeableForServiceAsync(caller, Resource.Application(id));
        if (!found.IsSuccess)
        {
            return found.Error!;
        }

        await using var change = found.Value;
        var application = await change.Db.Applications.FirstAsync(a => a.Id == id);
        var (settings, gitSecret, errors) = ApplicationRules.Resolve(input, application.Settings, application.ProtectedGitSecret is not null);
        if (errors.Count > 0)
        {
            return DomainError.Validation(errors);
        }

        if (await ServiceCatalog.NameConflictAsync(change.Db, application.EnvironmentId, settings.Name, exceptId: id) is { } conflict)
        {
            return conflict;
        }

        var credentials = gitSecret.Replaces ? " Its repository has a new password or token."
            : !gitSecret.Keeps && application.ProtectedGitSecret is not null ? " Its repository's password or token was removed." : "";
        application.Settings = settings;
        application.ProtectedGitSecret = gitSecret.Apply(application.ProtectedGitSecret, protector);
        application.UpdatedAt = change.Now;
        application.RestartNeeded |= application.DeployedAt is not null;
        await change.SaveAsync(EnvironmentService.Subject(change.Access.OrganizationId, application), "UPDATED", $"Application {settings.Name} settings changed.{credentials}");
        return await ViewAsync(change.Db, application, CancellationToken.None);
    }

    /// <summary>Deletes the application through a DELETE deployment (its instances stopped, its files removed, then its row); answers once that ended.</summary>
    public async Task<Result<bool>> DeleteAsync(Caller caller, Guid id)
    {
        var queued = await deployments.QueueDeletionAsync(caller, Resource.Application(id));
        return queued.IsSuccess ? await environments.WaitForAsync(queued.Value, "deleting the application") : queued.Error!;
    }

    private async Task<ApplicationView> ViewAsync(PlatformDbContext db, Application a, CancellationToken cancellationToken)
    {
        var deployed = await ApplicationFlags.DeployedCommitsAsync(db, [a.Id], cancellationToken);
        var summaries = await ServiceSummary.ForAsync(db, [(a.Id, a.State, a.LiveDeploymentId)], cancellationToken);
        return await ViewAsync(a, await runtimes.ForEnvironmentAsync(db, a.EnvironmentId, cancellationToken), deployed.GetValueOrDefault(a.Id), summaries[a.Id], cancellationToken);
    }

    private static async Task<ApplicationView> ViewAsync(Application a, IRuntime runtime, string? deployedCommitId, ServiceSummary summary, CancellationToken cancellationToken)
    {
        var live = a.LiveDeploymentId is null ? null : await runtime.ObserveAsync(a.Id, cancellationToken);
        return new ApplicationView(
            a.Id, a.EnvironmentId, a.Settings, ServiceHealth.Of(a.State, a.StateMessage, live, a.LiveDeploymentId is not null), ApplicationFlags.Of(a, deployedCommitId),
            new RepositoryCheck(a.RepositoryCheckedAt, a.LatestCommitId, a.RepositoryError),
            a.LiveDeploymentId is null ? null : runtime.UrlOf(a.Id, a.Name), a.CreatedAt, a.UpdatedAt, summary);
    }
}
