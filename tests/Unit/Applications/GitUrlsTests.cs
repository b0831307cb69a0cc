using Platform.Domain.Applications;
using Platform.Domain.Runtime;
using Platform.Portal.Runtime;

namespace Platform.Tests.Applications;

/// <summary>The one rule for the secrets of git URLs: what is masked, what is stored, what git is given.</summary>
public sealed class GitUrlsTests
{
    [Theory]
    [InlineData("https://deployer:s3cret@git.example.test/team/web.git", "https://deployer:***@git.example.test/team/web.git")]
    [InlineData("http://deployer:s3cret@127.0.0.1:8080/web.git", "http://deployer:***@127.0.0.1:8080/web.git")]
    [InlineData("https://ghp_token123@github.com/org/repo.git", "https://***@github.com/org/repo.git")]
    [InlineData("https://deployer:p%40ss@git.example.test/web.git", "https://deployer:***@git.example.test/web.git")]
    [InlineData("https://deployer:p@ss@git.example.test/web.git", "https://deployer:***@git.example.test/web.git")]
    [InlineData("https://git.example.test/team/web.git", "https://git.example.test/team/web.git")]
    [InlineData("ssh://git@git.example.test/team/web.git", "ssh://git@git.example.test/team/web.git")]
    [InlineData("ssh://git:hunter2@git.example.test/team/web.git", "ssh://git:***@git.example.test/team/web.git")]
    [InlineData("git@git.example.test:team/web.git", "git@git.example.test:team/web.git")]
    [InlineData("/srv/git/web.git", "/srv/git/web.git")]
    [InlineData("file:///srv/git/web.git", "file:///srv/git/web.git")]
    [InlineData("https://deployer:***@git.example.test/web.git", "https://deployer:***@git.example.test/web.git")]
    [InlineData("https://***@github.com/org/repo.git", "https://***@github.com/org/repo.git")]
    [InlineData("https://git.example.test/web.git?x=a@b", "https://git.example.test/web.git?x=a@b")]
    public void Redact_MasksPasswordsAndTokens_NotSshUsers(string url, string shown)
    {
        Assert.Equal(shown, GitUrls.Redact(url));
        Assert.Equal(shown, GitSources.Redact(url));
    }

    [Fact]
    public void Redact_MasksEveryUrlOfALineGitPrinted()
    {
        var line = "fatal: unable to access 'https://deployer:s3cret@git.example.test/web.git/': mirror https://tok@other.test/x.git failed";

        Assert.Equal(
            "fatal: unable to access 'https://deployer:***@git.example.test/web.git/': mirror https://***@other.test/x.git failed",
            GitUrls.Redact(line));
    }

    [Theory]
    [InlineData("https://deployer:s3cret@git.example.test/web.git", "https://deployer:***@git.example.test/web.git", "s3cret")]
    [InlineData("https://ghp_token123@github.com/org/repo.git", "https://***@github.com/org/repo.git", "ghp_token123")]
    [InlineData("https://deployer:***@git.example.test/web.git", "https://deployer:***@git.example.test/web.git", null)]
    [InlineData("ssh://git@git.example.test/web.git", "ssh://git@git.example.test/web.git", null)]
    [InlineData("/srv/git/web.git", "/srv/git/web.git", null)]
    public void Split_StoresTheUrlMasked_AndTheSecretApart(string typed, string stored, string? secret) =>
        Assert.Equal((stored, secret), GitUrls.Split(typed));

    [Theory]
    [InlineData("https://deployer:***@git.example.test/web.git", "p%40ss", "https://git.example.test/web.git", "deployer", "p@ss")]
    [InlineData("https://***@github.com/org/repo.git", "ghp_token123", "https://github.com/org/repo.git", "ghp_token123", "")]
    [InlineData("ssh://git:***@git.example.test/web.git", "hunter2", "ssh://git@git.example.test/web.git", "git", "hunter2")]
    public void TheRuntimeGets_TheUrlWithoutSecrets_AndTheCredentialsDecoded(string stored, string secret, string url, string username, string password)
    {
        Assert.Equal(url, GitUrls.WithoutCredentials(stored));
        Assert.Equal(new GitCredentials(username, password), GitUrls.CredentialsFor(stored, secret));
    }

    [Theory]
    [InlineData("ssh://git@git.example.test/web.git")]
    [InlineData("https://git.example.test/web.git")]
    [InlineData("/srv/git/web.git")]
    public void UrlsWithoutSecrets_GoToTheRuntimeAsTheyAre_WithoutCredentials(string url)
    {
        Assert.Equal(url, GitUrls.WithoutCredentials(url));
        Assert.Null(GitUrls.CredentialsFor(url, "ignored"));
    }

    [Theory]
    [InlineData("https://deployer:***@git.example.test/other.git", true)]
    [InlineData("https://deployer:***@GIT.example.test/web.git", true)]
    [InlineData("https://deployer:***@evil.example.test/web.git", false)]
    [InlineData("https://someone:***@git.example.test/web.git", false)]
    [InlineData("http://deployer:***@git.example.test/web.git", false)]
    [InlineData("https://***@git.example.test/web.git", false)]
    public void TheStoredSecretIsKept_OnlyForTheSameSchemeUserAndHost(string url, bool same) =>
        Assert.Equal(same, GitUrls.SameAccount(url, "https://deployer:***@git.example.test/web.git"));

    [Fact]
    public void Credentials_AreNeverPrinted()
    {
        var order = new FetchOrder(Guid.NewGuid(), Guid.NewGuid(), new GitSource("https://git.example.test/web.git", "main", "/"), null,
            new GitCredentials("ghp_token123", "s3cret"));

        Assert.DoesNotContain("s3cret", order.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("ghp_token123", order.ToString(), StringComparison.Ordinal);
    }
}
