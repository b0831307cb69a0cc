using System.Diagnostics;

namespace Platform.Tests.Deployments;

/// <summary>
/// A real git repository made by a test: a working copy under /tmp that commits files and pushes them to a bare
/// repository, whose path is what an application's git_repository.url names.
/// </summary>
public sealed class TestGitRepository : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"platform-test-git-{Guid.NewGuid():N}");
    private readonly List<string> _commits = [];

    private TestGitRepository()
    {
    }

    /// <summary>The bare repository the portal fetches from.</summary>
    public string Url => Path.Combine(_root, "origin.git");

    /// <summary>The full ids of the commits on main, oldest first.</summary>
    public IReadOnlyList<string> Commits => _commits;

    private string WorkingCopy => Path.Combine(_root, "work");

    /// <summary>A bare repository whose branch main holds these files in one commit.</summary>
    public static async Task<TestGitRepository> CreateAsync(IReadOnlyDictionary<string, string> files, string message = "First version")
    {
        var repository = new TestGitRepository();
        Directory.CreateDirectory(repository.WorkingCopy);
        await GitAsync(repository.WorkingCopy, "init", "--quiet", "--initial-branch=main");
        await repository.CommitAsync(files, message, push: false);
        await GitAsync(repository._root, "clone", "--quiet", "--bare", repository.WorkingCopy, repository.Url);
        await GitAsync(repository.WorkingCopy, "remote", "add", "origin", repository.Url);
        return repository;
    }

    /// <summary>Writes (or overwrites) these files, commits and pushes to main; answers the new commit's full id.</summary>
    public Task<string> CommitAsync(IReadOnlyDictionary<string, string> files, string message) => CommitAsync(files, message, push: true);

    private async Task<string> CommitAsync(IReadOnlyDictionary<string, string> files, string message, bool push)
    {
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(WorkingCopy, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllTextAsync(full, content);
        }

        await GitAsync(WorkingCopy, "add", "--all");
        await GitAsync(WorkingCopy, "-c", "user.name=Platform Tests", "-c", "user.email=tests@example.com", "commit", "--quiet", "-m", message);
        if (push)
        {
            await GitAsync(WorkingCopy, "push", "--quiet", "origin", "main");
        }

        var commit = (await GitAsync(WorkingCopy, "rev-parse", "HEAD")).Trim();
        _commits.Add(commit);
        return commit;
    }

    private static async Task<string> GitAsync(string workingDirectory, params string[] arguments)
    {
        var info = new ProcessStartInfo("git")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // No global or system configuration of the machine changes what the test repository holds.
        info.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        info.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"git {string.Join(' ', arguments)} exited with code {process.ExitCode}: {await error}");
    }

    public void Dispose() => Support.TestPostgres.DeleteQuietly(_root);
}
