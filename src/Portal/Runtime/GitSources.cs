using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Platform.Domain.Applications;
using Platform.Domain.Runtime;

namespace Platform.Portal.Runtime;

/// <summary>
/// Fetches applications' sources with the git command line: one bare cache per application, fetched from its
/// repository (a local path, file://, http(s) or ssh), then the asked commit exported into a fresh build folder.
/// Only plain transports are allowed (no ext:: helpers that run commands), and git never prompts.
/// </summary>
public sealed class GitSources(LocalRuntimeSettings settings)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _locks = new();

    public async Task<Commit> FetchAsync(Guid applicationId, GitSource source, string? commitId, string folder, Action<string> output, CancellationToken cancellationToken)
    {
        if (source.Url.StartsWith('-'))
        {
            throw new RuntimeFailureException("The repository URL cannot start with '-'.");
        }

        var gate = _locks.GetOrAdd(applicationId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var cache = Path.Combine(settings.Directory, "git", $"{applicationId:N}.git");
            if (!Directory.Exists(cache))
            {
                Directory.CreateDirectory(cache);
                await GitAsync(["init", "--bare", "--quiet", cache], null, cancellationToken);
            }

            output($"Fetching {source.Url} ({source.Branch}).");
            var fetch = await GitAsync(
                ["--git-dir", cache, "fetch", "--prune", "--force", "--no-tags", "--end-of-options", source.Url, "+refs/heads/*:refs/heads/*"], output, cancellationToken);
            if (fetch.ExitCode != 0)
            {
                throw new RuntimeFailureException($"The repository {source.Url} could not be fetched: {LastLine(fetch.Error) ?? $"git exited with code {fetch.ExitCode}"}.");
            }

            var wanted = commitId ?? $"refs/heads/{source.Branch}";
            var resolved = await GitAsync(["--git-dir", cache, "rev-parse", "--verify", "--quiet", "--end-of-options", $"{wanted}^{{commit}}"], null, cancellationToken);
            if (resolved.ExitCode != 0)
            {
                throw new RuntimeFailureException(commitId is null
                    ? $"The branch {source.Branch} does not exist in {source.Url}."
                    : $"The commit {commitId} does not exist in {source.Url}.");
            }

            var sha = resolved.Output.Trim();
            var log = await GitAsync(["--git-dir", cache, "log", "-1", "--format=%H%x00%s", sha], null, cancellationToken);
            var parts = log.Output.TrimEnd('\n').Split('\0', 2);
            var commit = new Commit(sha[..7], sha, parts.Length > 1 ? parts[1] : "");

            Directory.CreateDirectory(folder);
            var export = await RunAsync("/bin/sh", ["-c", "git --git-dir=\"$1\" archive --format=tar \"$2\" | tar -x -C \"$3\"", "sh", cache, sha, folder], null, cancellationToken);
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

    private static Task<Outcome> GitAsync(IReadOnlyList<string> arguments, Action<string>? output, CancellationToken cancellationToken) =>
        RunAsync("git", arguments, output, cancellationToken);

    private sealed record Outcome(int ExitCode, string Output, string Error);

    private static async Task<Outcome> RunAsync(string file, IReadOnlyList<string> arguments, Action<string>? output, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Clear();
        info.Environment["PATH"] = ChildProcess.Path;
        info.Environment["HOME"] = Path.GetTempPath();
        info.Environment["GIT_TERMINAL_PROMPT"] = "0";
        info.Environment["GIT_ALLOW_PROTOCOL"] = "file:git:http:https:ssh";
        info.Environment["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new";
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

    private static string? LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
}
