using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Platform.Domain.Applications;
using Platform.Domain.Runtime;

namespace Platform.Portal.Runtime;

/// <summary>
/// Fetches applications' sources with the git command line: one bare cache per application, fetched from its
/// repository (a local path, file://, http(s) or ssh), then the asked commit exported into a fresh build folder.
/// git runs as the application's own user, in its private folder, with no ssh keys or configuration of the
/// portal's: it reads only what that user may read. Only plain transports are allowed (no ext:: helpers that
/// run commands), git never prompts, and credentials in a URL never reach a log line.
/// </summary>
public sealed partial class GitSources(LocalRuntimeSettings settings)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _locks = new();

    public async Task<Commit> FetchAsync(
        Guid applicationId, GitSource source, string? commitId, string applicationFolder, string folder, RuntimeUser user, Action<string> output, CancellationToken cancellationToken)
    {
        if (source.Url.StartsWith('-'))
        {
            throw new RuntimeFailureException("The repository URL cannot start with '-'.");
        }

        var gate = _locks.GetOrAdd(applicationId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var cache = Path.Combine(applicationFolder, "git.git");
            var url = Redact(source.Url);
            if (!Directory.Exists(cache))
            {
                await RunAsync(user, applicationFolder, "git", ["init", "--bare", "--quiet", cache], null, cancellationToken);
            }

            output($"Fetching {url} ({source.Branch}).");
            var fetch = await RunAsync(user, applicationFolder, "git",
                ["--git-dir", cache, "fetch", "--prune", "--force", "--no-tags", "--end-of-options", source.Url, "+refs/heads/*:refs/heads/*"], line => output(Redact(line)), cancellationToken);
            if (fetch.ExitCode != 0)
            {
                throw new RuntimeFailureException($"The repository {url} could not be fetched: {Redact(LastLine(fetch.Error) ?? $"git exited with code {fetch.ExitCode}")}.");
            }

            var wanted = commitId ?? $"refs/heads/{source.Branch}";
            var resolved = await RunAsync(user, applicationFolder, "git", ["--git-dir", cache, "rev-parse", "--verify", "--quiet", "--end-of-options", $"{wanted}^{{commit}}"], null, cancellationToken);
            if (resolved.ExitCode != 0)
            {
                throw new RuntimeFailureException(commitId is null
                    ? $"The branch {source.Branch} does not exist in {url}."
                    : $"The commit {commitId} does not exist in {url}.");
            }

            var sha = resolved.Output.Trim();
            var log = await RunAsync(user, applicationFolder, "git", ["--git-dir", cache, "log", "-1", "--format=%H%x00%s", sha], null, cancellationToken);
            var parts = log.Output.TrimEnd('\n').Split('\0', 2);
            var commit = new Commit(sha[..7], sha, parts.Length > 1 ? parts[1] : "");

            var export = await RunAsync(user, applicationFolder, "/bin/sh",
                ["-c", "mkdir -p \"$3\" && git --git-dir=\"$1\" archive --format=tar \"$2\" | tar -x -C \"$3\"", "sh", cache, sha, folder], null, cancellationToken);
            if (export.ExitCode != 0)
            {
                throw new RuntimeFailureException($"Commit {commit.ShortId} could not be exported: {LastLine(export.Error) ?? "tar failed"}.");
            }

            output($"Fetched commit {commit.ShortId}: {commit.Message}");
            return commit;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The one configuration git gets, in the runtime folder (the portal's own, not a shared temp folder).</summary>
    private string ConfigurationPath => Path.Combine(settings.Directory, "gitconfig");

    /// <summary>Writes git's configuration; the runtime does it once as it starts.</summary>
    public void WriteConfiguration() => File.WriteAllText(ConfigurationPath, "[safe]\n\tdirectory = *\n");

    /// <summary>A URL or a line of git's as it may be shown: its secrets masked, by the domain's one rule (<see cref="GitUrls.Redact"/>).</summary>
    public static string Redact(string text) => GitUrls.Redact(text);

    private sealed record Outcome(int ExitCode, string Output, string Error);

    private Task<Outcome> RunAsync(
        RuntimeUser user, string home, string file, IReadOnlyList<string> arguments, Action<string>? output, CancellationToken cancellationToken) =>
        RunAsync(user, home, ConfigurationPath, file, arguments, output, cancellationToken);

    private static async Task<Outcome> RunAsync(
        RuntimeUser user, string home, string configuration, string file, IReadOnlyList<string> arguments, Action<string>? output, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(user.Switches ? "setpriv" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = home,
        };
        foreach (var argument in user.Switches ? [.. user.SwitchArguments(), file, .. arguments] : arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Clear();
        info.Environment["PATH"] = ChildProcess.Path;
        info.Environment["HOME"] = home;
        info.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        // The application's user reads repositories it does not own (the team's bare repository on the host): that is
        // the point, so safe.directory is opened in the one global configuration git gets (git 2.39 ignores it elsewhere).
        info.Environment["GIT_CONFIG_GLOBAL"] = configuration;
        info.Environment["GIT_TERMINAL_PROMPT"] = "0";
        info.Environment["GIT_ALLOW_PROTOCOL"] = "file:git:http:https:ssh";
        info.Environment["GIT_SSH_COMMAND"] = "ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new";
        using var process = new Process { StartInfo = info };
        var error = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (error)
                {
                    error.AppendLine(line);
                }

                output?.Invoke(line);
            }
        };
        process.Start();
        process.BeginErrorReadLine();
        var standardOutput = process.StandardOutput.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new RuntimeFailureException($"git did not finish within {Timeout.TotalMinutes} minutes.");
        }

        string text;
        lock (error)
        {
            text = error.ToString();
        }

        return new Outcome(process.ExitCode, await standardOutput, text);
    }

    /// <summary>git's reason: its first fatal or error line, else its last line.</summary>
    private static string? LastLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.FirstOrDefault(l => l.StartsWith("fatal:", StringComparison.Ordinal) || l.StartsWith("error:", StringComparison.Ordinal)) ?? lines.LastOrDefault();
    }
}
