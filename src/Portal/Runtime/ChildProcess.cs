using System.Diagnostics;
using Platform.Domain.Logs;
using Platform.Portal.Runtime.Sandbox;

namespace Platform.Portal.Runtime;

/// <summary>
/// A process of a build, an instance, a probe or a git fetch, started exactly as <see cref="SandboxCommandLine"/>
/// prepared it (nothing of the portal's environment), with each line it prints handed on, secrets masked.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    /// <summary>What every process gets besides its variables; none of it comes from the portal's environment.</summary>
    public const string Path = HostCommand.Path;

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

    public static ChildProcess Start(PreparedProcess prepared, IReadOnlyCollection<string> secrets, Action<LogStream, string> output)
    {
        var info = new ProcessStartInfo
        {
            FileName = prepared.FileName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (prepared.WorkingDirectory is { } directory)
        {
            info.WorkingDirectory = directory;
        }

        foreach (var argument in prepared.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Clear();
        foreach (var (key, value) in prepared.Environment)
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

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var child = new ChildProcess(process, DateTimeOffset.UtcNow);
        _ = WriteInputAsync(process, prepared.Input);
        return child;

        void Forward(LogStream stream, string? line)
        {
            if (line is not null)
            {
                output(stream, MaskSecrets(line, secrets));
            }
        }
    }

    /// <summary>Hands the process its input (the sandbox's arguments, or a credential), then closes it: the application reads end of file.</summary>
    private static async Task WriteInputAsync(Process process, byte[]? input)
    {
        try
        {
            if (input is { Length: > 0 })
            {
                await process.StandardInput.BaseStream.WriteAsync(input);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // It exited before reading it all; its exit code and output say why.
        }
        catch (ObjectDisposedException)
        {
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
