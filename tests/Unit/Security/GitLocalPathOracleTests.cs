using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Applications;
using Platform.Domain.Runtime;
using Platform.Portal.Runtime;

namespace Platform.Tests.Security;

/// <summary>
/// A local repository is mounted into git's sandbox by bubblewrap running as the application's uid, so a folder that
/// uid may not reach is refused as one that is not there. The head check's change added a look as root first (does the
/// folder exist?), which answered "there is no such folder" for a missing one and bubblewrap's "Permission denied" for
/// one that exists: any tenant could tell which folders exist inside another user's private folder on the host.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class GitLocalPathOracleTests(EscapePortal escape) : IClassFixture<EscapePortal>
{
    private LocalRuntime Runtime => escape.Portal.Services.GetRequiredService<LocalRuntime>();

    [Fact]
    public async Task LocalRepository_InAFolderTheApplicationMayNotEnter_FailsAlikeWhetherItExistsOrNot()
    {
        var secret = Path.Combine(Path.GetTempPath(), $"platform-private-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(secret, "present"));
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var present = await FailureAsync(Path.Combine(secret, "present"));
            var absent = await FailureAsync(Path.Combine(secret, "absent"));

            Assert.Contains("could not be reached", present, StringComparison.Ordinal);
            Assert.Equal(absent.Replace("absent", "NAME", StringComparison.Ordinal), present.Replace("present", "NAME", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(secret, recursive: true);
        }
    }

    private async Task<string> FailureAsync(string path) =>
        (await Assert.ThrowsAsync<RuntimeFailureException>(() => Runtime.BranchHeadAsync(Guid.NewGuid(), new GitSource(path, "main", "/"), null, CancellationToken.None))).Message;
}
