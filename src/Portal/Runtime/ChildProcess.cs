using System.Diagnostics;
using Platform.Domain.Logs;

namespace Platform.Portal.Runtime;

/// <summary>
/// A shell command of a build, an instance or a probe, started with a clean environment (only what it is given,
/// plus a fixed PATH, HOME and LANG: nothing of the portal's own), as the runtime user, with each line it prints
/// handed on, secrets masked.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    /// <summary>What every process gets besides its variables; none of it comes from the portal's environment.</summary>
    public const string Path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private const string Mask = "********";
    private readonly Process _process;

    private ChildProcess(Process process, DateTimeOffset startedAt)
    {
        _process = process;
        StartedAt = startedAt;
        Exited = process.WaitForExitAsync();
    }

    public int Id => _process.Id;

    public DateTimeOffset StartedAt { get; }

    /// <summary>Completes when the process has exited and its output has been read to the end.</summary>
    public Task Exited { get; }

    public bool HasExited => Exited.IsCompleted;

    public int ExitCode => _process.ExitCode;

    public static ChildProcess Start(
        string command, string workingDirectory, IReadOnlyDictionary<string, string> variables, IReadOnlyCollection<string> secrets,
        RuntimeUser user, Action<LogStream, string> output)
    {
        var info = new ProcessStartInfo
        {
            FileName = user.Switches ? "setpriv" : "/bin/sh",
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (user.Switches)
        {
            foreach (var argument in user.SwitchArguments().Append("/bin/sh"))
            {
                info.ArgumentList.Add(argument);
            }
        }

        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        info.Environment.Clear();
        info.Environment["PATH"] = Path;
        info.Environment["HOME"] = workingDirectory;
        info.Environment["LANG"] = "C.UTF-8";
        foreach (var (key, value) in variables)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Forward(LogStream.Stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Forward(LogStream.Stderr, e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            process.Dispose();
            throw new Domain.Runtime.RuntimeFailureException($"The command could not be started: {exception.Message}", exception);
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChildProcess(process, DateTimeOffset.UtcNow);

        void Forward(LogStream stream, string? line)
        {
            if (line is not null)
            {
                output(stream, MaskSecrets(line, secrets));
            }
        }
    }

    /// <summary>Replaces every secret value in a line before it is kept or shown anywhere.</summary>
    public static string MaskSecrets(string line, IReadOnlyCollection<string> secrets)
    {
        foreach (var secret in secrets)
        {
            if (secret.Length >= 3 && line.Contains(secret, StringComparison.Ordinal))
            {
                line = line.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        return line;
    }

    /// <summary>Kills the process and everything it started.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Already gone, or exiting.
        }
    }

    /// <summary>Kills it and waits (briefly) until it is gone.</summary>
    public async Task KillAsync()
    {
        Kill();
        await Task.WhenAny(Exited, Task.Delay(TimeSpan.FromSeconds(5)));
    }

    public void Dispose() => _process.Dispose();
}
