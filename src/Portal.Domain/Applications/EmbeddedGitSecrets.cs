using Microsoft.EntityFrameworkCore;
using Platform.Domain.Common;

namespace Platform.Domain.Applications;

/// <summary>
/// Moves the secrets that earlier versions kept inside repository URLs (applications' settings and deployments'
/// snapshots) into encrypted storage, leaving the URLs masked. A migration runs SQL and cannot encrypt, so this runs
/// at every start, after the migrations: once nothing is left to move it only finds no rows.
/// </summary>
public static class EmbeddedGitSecrets
{
    /// <summary>Answers how many applications and service deployments it moved secrets out of.</summary>
    public static async Task<(int Applications, int Deployments)> MoveAsync(PlatformDbContext db, ISecretProtector protector, CancellationToken cancellationToken = default)
    {
        // scheme://…@host: the only URLs that can carry a secret; the filter only narrows, Split decides.
        var applications = await db.Applications
            .FromSql($"SELECT * FROM application WHERE settings -> 'git_repository' ->> 'url' ~ '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*@'")
            .ToListAsync(cancellationToken);
        var moved = 0;
        foreach (var application in applications)
        {
            if (Move(application.Settings, protector) is { } split)
            {
                (application.Settings, application.ProtectedGitSecret) = split;
                moved++;
            }
        }

        var deployments = await db.ServiceDeployments
            .FromSql($"SELECT * FROM service_deployment WHERE settings -> 'git_repository' ->> 'url' ~ '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*@'")
            .ToListAsync(cancellationToken);
        var snapshots = 0;
        foreach (var deployment in deployments)
        {
            if (Move(deployment.Settings!, protector) is { } split)
            {
                (deployment.Settings, deployment.ProtectedGitSecret) = split;
                snapshots++;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        return (moved, snapshots);
    }

    private static (ApplicationSettings Settings, string ProtectedSecret)? Move(ApplicationSettings settings, ISecretProtector protector)
    {
        var (stored, secret) = GitUrls.Split(settings.GitRepository.Url);
        return secret is null ? null : (settings with { GitRepository = settings.GitRepository with { Url = stored } }, protector.Protect(secret));
    }
}
