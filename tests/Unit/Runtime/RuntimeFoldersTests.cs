using Platform.Portal.Runtime;

namespace Platform.Tests.Runtime;

/// <summary>The folders the runtime keeps for applications: the portal's where nothing may be planted, the application's inside.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RuntimeFoldersTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"platform-folders-{Guid.NewGuid():N}");

    [Fact]
    public async Task PassThroughFolder_WhereALinkWasPlanted_ReplacesTheLink_AndLeavesItsTargetAlone()
    {
        var target = Directory.CreateDirectory(Path.Combine(_root, "target")).FullName;
        await File.WriteAllTextAsync(Path.Combine(target, "precious"), "keep me");
        var targetMode = File.GetUnixFileMode(target);
        var builds = Path.Combine(_root, "builds");
        File.CreateSymbolicLink(builds, target);

        await RuntimeIdentities.PassThroughFolderAsync(builds);

        Assert.Null(new DirectoryInfo(builds).LinkTarget);
        Assert.Empty(Directory.GetFileSystemEntries(builds));
        Assert.Equal("keep me", await File.ReadAllTextAsync(Path.Combine(target, "precious")));
        Assert.Equal(targetMode, File.GetUnixFileMode(target));
    }

    [Fact]
    public async Task PassThroughFolder_AsRoot_IsRootsAndClosedToListing()
    {
        var folder = Path.Combine(_root, "apps");

        await RuntimeIdentities.PassThroughFolderAsync(folder);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute, File.GetUnixFileMode(folder));
        if (Environment.IsPrivilegedProcess)
        {
            Assert.Equal("0", await StatOwnerAsync(folder));
        }
    }

    public void Dispose() => Support.TestPostgres.DeleteQuietly(_root);

    private static async Task<string> StatOwnerAsync(string path)
    {
        var result = await Platform.Portal.Runtime.Sandbox.HostCommand.RunAsync("stat", ["-c", "%u", "--", path]);
        return result.Output.Trim();
    }
}
