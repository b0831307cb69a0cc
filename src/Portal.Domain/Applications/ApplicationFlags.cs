using Microsoft.EntityFrameworkCore;
using Platform.Domain.Common;
using Platform.Domain.Deployments;

namespace Platform.Domain.Applications;

/// <summary>A flag of an application with what it means for this one: the reason, and for UPDATE_AVAILABLE the commit to deploy.</summary>
public sealed record FlagDetail(string Flag, string Message, string? CommitId = null);

/// <summary>What the repository check found last; null fields before its first check.</summary>
public sealed record RepositoryCheck(DateTimeOffset? CheckedAt, string? LatestCommitId, string? Error);

/// <summary>The application flags (PRODUCT.md section 7), decided here only: for the answers, the pages and the repository check's events.</summary>
public static class ApplicationFlags
{
    public const string GitConnectionError = "GIT_CONNECTION_ERROR";

    public const string UpdateAvailable = "UPDATE_AVAILABLE";

    public const string RestartNeeded = "RESTART_NEEDED";

    /// <summary>
    /// The application's flags, given the commit it was last deployed at (<see cref="DeployedCommitsAsync"/>):
    /// GIT_CONNECTION_ERROR when the last check failed; UPDATE_AVAILABLE when the branch's head at the last check is
    /// another commit than the deployed one; RESTART_NEEDED when variables or settings changed since the last deployment.
    /// </summary>
    public static IReadOnlyList<FlagDetail> Of(Application a, string? deployedCommitId)
    {
        var flags = new List<FlagDetail>();
        var branch = a.Settings.GitRepository.Branch;
        if (a.RepositoryError is { } error)
        {
            flags.Add(new FlagDetail(GitConnectionError, error));
        }
        else if (a.LatestCommitId is { } latest && a.DeployedAt is not null && deployedCommitId is not null
            && !string.Equals(latest, deployedCommitId, StringComparison.OrdinalIgnoreCase))
        {
            flags.Add(new FlagDetail(UpdateAvailable, $"The branch {branch} is at commit {ShortId(latest)}; commit {ShortId(deployedCommitId)} is deployed.", latest));
        }

        if (a.RestartNeeded)
        {
            flags.Add(new FlagDetail(RestartNeeded, "Variables or settings changed since the last deployment: restart it to apply them."));
        }

        return flags;
    }

    /// <summary>
    /// The commit each application runs, or ran last: that of its latest successful deployment that had one (a stop has
    /// none; a rollback has the commit it went back to).
    /// </summary>
    public static Task<Dictionary<Guid, string>> DeployedCommitsAsync(PlatformDbContext db, IReadOnlyCollection<Guid> applicationIds, CancellationToken cancellationToken) =>
        db.ServiceDeployments
            .Where(d => applicationIds.Contains(d.ServiceId) && d.State == DeploymentState.Ok && d.CommitLongId != null)
            .GroupBy(d => d.ServiceId)
            .Select(g => new { Id = g.Key, Commit = g.OrderByDescending(d => d.Sequence).Select(d => d.CommitLongId!).First() })
            .ToDictionaryAsync(x => x.Id, x => x.Commit, cancellationToken);

    public static string ShortId(string commitId) => commitId.Length > 7 ? commitId[..7] : commitId;
}
