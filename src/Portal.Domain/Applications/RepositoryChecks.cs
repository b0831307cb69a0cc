using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Platform.Domain.Common;
using Platform.Domain.Deployments;
using Platform.Domain.Environments;
using Platform.Domain.Events;
using Platform.Domain.Runtime;
using Platform.Domain.Services;

namespace Platform.Domain.Applications;

/// <summary>What one check found: the branch's head, or why the repository could not be reached; and whether it queued an auto-deploy.</summary>
public sealed record RepositoryCheckOutcome(Guid ApplicationId, string? LatestCommitId, string? Error, Guid? AutoDeploymentId);

/// <summary>
/// The repository check (PRODUCT.md section 7): asks each application's repository for its branch's head through its
/// runtime (git ls-remote in the application's sandbox), keeps what it found on the application (the flags
/// GIT_CONNECTION_ERROR and UPDATE_AVAILABLE follow from it), records an event when a flag comes or goes, so open
/// pages refresh, and with auto-deploy on queues a deployment of a new head.
/// </summary>
public sealed partial class RepositoryChecks(
    IDbContextFactory<PlatformDbContext> dbFactory, IRuntimes runtimes, ISecretProtector protector, DeploymentService deployments, TimeProvider clock,
    ILogger<RepositoryChecks> logger)
{
    /// <summary>Repositories asked at once: each question is a sandboxed git process, and the machine has other work.</summary>
    public const int Concurrency = 2;

    public const int MaxErrorLength = 1000;

    /// <summary>The longest one repository may take to answer; a slow one fails its check, and the others go on.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>Checks every application of an environment that is not archived; one repository's failure stops none of the others.</summary>
    public async Task<IReadOnlyList<RepositoryCheckOutcome>> CheckAllAsync(CancellationToken cancellationToken)
    {
        List<Guid> ids;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            ids = await Checked(db.Applications).OrderBy(a => a.Id).Select(a => a.Id).ToListAsync(cancellationToken);
        }

        var outcomes = new List<RepositoryCheckOutcome>();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken }, async (id, token) =>
        {
            try
            {
                if (await CheckAsync(id, token) is { } outcome)
                {
                    lock (outcomes)
                    {
                        outcomes.Add(outcome);
                    }
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !token.IsCancellationRequested)
            {
                LogCheckFailed(exception, id);
            }
        });
        return outcomes;
    }

    /// <summary>
    /// Checks one application's repository and keeps what it found; with auto-deploy on, queues a deployment of a head
    /// that is neither the deployed commit nor one auto-deploy queued before. Answers null when the application is not
    /// checked (gone, being deleted, or its environment archived).
    /// </summary>
    public async Task<RepositoryCheckOutcome?> CheckAsync(Guid applicationId, CancellationToken cancellationToken)
    {
        Application? application;
        IRuntime runtime;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            application = await Checked(db.Applications.AsNoTracking()).FirstOrDefaultAsync(a => a.Id == applicationId, cancellationToken);
            if (application is null)
            {
                return null;
            }

            runtime = await runtimes.ForEnvironmentAsync(db, application.EnvironmentId, cancellationToken);
        }

        var (head, error) = await BranchHeadAsync(runtime, application, cancellationToken);
        var found = await KeepAsync(applicationId, head, error, cancellationToken);
        if (found is null)
        {
            return null;
        }

        var auto = found.Value.AutoDeploy ? await AutoDeployAsync(found.Value.OrganizationId, applicationId, head!) : null;
        return new RepositoryCheckOutcome(applicationId, head, error, auto);
    }

    /// <summary>Applications the check looks at: those of environments that are not archived, unless being deleted.</summary>
    private static IQueryable<Application> Checked(IQueryable<Application> applications) =>
        applications.Where(a => !a.Environment!.Archived && a.State != ServiceState.Deleting && a.State != ServiceState.Deleted);

    /// <summary>The branch's head, or the reason it could not be had (already free of secrets; masked again all the same).</summary>
    private async Task<(string? Head, string? Error)> BranchHeadAsync(IRuntime runtime, Application application, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Timeout);
        try
        {
            var (source, credentials) = GitAccess.For(application.Settings.GitRepository, application.ProtectedGitSecret, protector);
            return (await runtime.BranchHeadAsync(application.Id, source, credentials, limit.Token), null);
        }
        catch (RuntimeFailureException exception)
        {
            return (null, Texts.Cut(GitUrls.Redact(exception.Message), MaxErrorLength));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"The repository {GitUrls.Redact(application.Settings.GitRepository.Url)} did not answer within {Timeout.TotalSeconds:0} seconds.");
        }
    }

    /// <summary>
    /// Stores the check's result on the application, with an event for each flag that came or went; answers its
    /// organization and whether auto-deploy should queue the head (null when the application went meanwhile).
    /// </summary>
    private async Task<(Guid OrganizationId, bool AutoDeploy)?> KeepAsync(Guid applicationId, string? head, string? error, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await db.Applications.Where(a => a.Id == applicationId)
            .Select(a => new { Application = a, a.Environment!.Project!.OrganizationId }).FirstOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return null;
        }

        var application = found.Application;
        var deployed = (await ApplicationFlags.DeployedCommitsAsync(db, [applicationId], cancellationToken)).GetValueOrDefault(applicationId);
        var before = ApplicationFlags.Of(application, deployed);
        var now = clock.GetUtcNow();
        application.RepositoryCheckedAt = now;
        application.LatestCommitId = head;
        application.RepositoryError = error;
        var after = ApplicationFlags.Of(application, deployed);
        var subject = EnvironmentService.Subject(found.OrganizationId, application);
        try
        {
            await db.SaveWithEventsAsync(Changes(subject, before, after, application.Settings.GitRepository.Branch, now), cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Deleted while its repository was being asked: nothing left to keep.
            return null;
        }

        var autoDeploy = application.Settings.AutoDeploy && head is not null && application.LiveDeploymentId is not null
            && !string.Equals(head, deployed, StringComparison.OrdinalIgnoreCase) && head != application.AutoDeployedCommitId;
        return (found.OrganizationId, autoDeploy);
    }

    /// <summary>The events for the repository's flags that came, changed or went; RESTART_NEEDED is not the check's.</summary>
    private static List<PlatformEvent> Changes(EventSubject subject, IReadOnlyList<FlagDetail> before, IReadOnlyList<FlagDetail> after, string branch, DateTimeOffset now)
    {
        var events = new List<PlatformEvent>();
        var (wasError, isError) = (Find(before, ApplicationFlags.GitConnectionError), Find(after, ApplicationFlags.GitConnectionError));
        if (isError is not null && wasError?.Message != isError.Message)
        {
            events.Add(EventLog.New(subject, ApplicationFlags.GitConnectionError, SimpleState.Error, isError.Message, null, now));
        }
        else if (wasError is not null && isError is null)
        {
            events.Add(EventLog.New(subject, "GIT_CONNECTION_RESTORED", SimpleState.Ok, "The repository can be reached again.", null, now));
        }

        var (wasUpdate, isUpdate) = (Find(before, ApplicationFlags.UpdateAvailable), Find(after, ApplicationFlags.UpdateAvailable));
        if (isUpdate is not null && wasUpdate?.CommitId != isUpdate.CommitId)
        {
            var commit = isUpdate.CommitId!;
            events.Add(EventLog.New(subject, ApplicationFlags.UpdateAvailable, SimpleState.Warning, isUpdate.Message, null, now, new Commit(ApplicationFlags.ShortId(commit), commit, "")));
        }
        else if (wasUpdate is not null && isUpdate is null && isError is null)
        {
            events.Add(EventLog.New(subject, "UP_TO_DATE", SimpleState.Ok, $"The branch {branch} is at the deployed commit again.", null, now));
        }

        return events;
    }

    private static FlagDetail? Find(IReadOnlyList<FlagDetail> flags, string flag) => flags.FirstOrDefault(f => f.Flag == flag);

    private async Task<Guid?> AutoDeployAsync(Guid organizationId, Guid applicationId, string head)
    {
        var queued = await deployments.AutoDeployAsync(organizationId, applicationId, head);
        if (!queued.IsSuccess)
        {
            LogAutoDeployRefused(applicationId, queued.Error!.Message);
            return null;
        }

        if (queued.Value is not { } deployment)
        {
            // A deployment of it is queued or under way: the next check decides again once it ended.
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        await db.Applications.Where(a => a.Id == applicationId).ExecuteUpdateAsync(s => s.SetProperty(a => a.AutoDeployedCommitId, head), CancellationToken.None);
        LogAutoDeployQueued(applicationId, head);
        return deployment.Id;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The repository check of application {ApplicationId} failed")]
    private partial void LogCheckFailed(Exception exception, Guid applicationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Auto-deploy queued commit {Commit} of application {ApplicationId}")]
    private partial void LogAutoDeployQueued(Guid applicationId, string commit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auto-deploy of application {ApplicationId} was refused: {Reason}")]
    private partial void LogAutoDeployRefused(Guid applicationId, string reason);
}
