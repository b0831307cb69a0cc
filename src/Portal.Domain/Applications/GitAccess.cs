using Platform.Domain.Common;
using Platform.Domain.Runtime;

namespace Platform.Domain.Applications;

/// <summary>
/// The one place a repository's secret is decrypted: for the runtime alone, into what git is given (a fetch order, a
/// branch head's question). The source's URL then carries no secret; the credentials travel beside it.
/// </summary>
public static class GitAccess
{
    /// <summary>The source as git is given it and the credentials it authenticates with; a URL whose stored secret is missing fails with the fix.</summary>
    public static (GitSource Source, GitCredentials? Credentials) For(GitSource source, string? protectedGitSecret, ISecretProtector protector)
    {
        if (GitUrls.HasSecret(source.Url) && protectedGitSecret is null)
        {
            throw new RuntimeFailureException($"The password or token of {source.Url} is not stored: enter it again in the application's settings.");
        }

        var credentials = GitUrls.CredentialsFor(source.Url, protectedGitSecret is null ? null : protector.Unprotect(protectedGitSecret));
        return (source with { Url = GitUrls.WithoutCredentials(source.Url) }, credentials);
    }
}
