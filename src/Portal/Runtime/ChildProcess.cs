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

    private ChildProcess(Process process, DateTimeOffset startedAt, Task output)
    {
        _process = process;
        StartedAt = startedAt;
        Exited = Task.WhenAll(process.WaitForExitAsync(), output);
    }

    /// <summary>
    /// The longest line handed on (what a log line keeps). A longer one is cut to it, its secrets masked first, the rest
    /// of it up to its end dropped, and ends with <see cref="CutNote"/>: the portal never holds more of a line than this
    /// and the longest secret.
    /// </summary>
    public const int MaxLineLength = Domain.Logs.LogLine.MaxMessageLength;

    public const string CutNote = " …[line cut: longer than 8192 characters]";

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
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            process.Dispose();
            throw new Domain.Runtime.RuntimeFailureException($"The command could not be started: {exception.Message}", exception);
        }

        // Not BeginOutputReadLine: it keeps a line whole until its end comes, and a process that prints without one
        // would grow the portal's memory (outside every sandbox limit) as fast as it writes.
        var reading = Task.WhenAll(
            Task.Run(() => ReadLinesAsync(process.StandardOutput, LogStream.Stdout, secrets, output)),
            Task.Run(() => ReadLinesAsync(process.StandardError, LogStream.Stderr, secrets, output)));
        var child = new ChildProcess(process, DateTimeOffset.UtcNow, reading);
        _ = WriteInputAsync(process, prepared.Input);
        return child;
    }

    /// <summary>
    /// Hands on each line of a stream (ended by \n, \r or \r\n, as <see cref="StreamReader.ReadLine"/> reads them), its
    /// secrets masked, holding at most <see cref="MaxLineLength"/> and the longest secret's length of any line: what
    /// goes beyond is dropped and the line, masked before it is cut so no secret is cut in half, ends with <see cref="CutNote"/>.
    /// </summary>
    public static async Task ReadLinesAsync(TextReader reader, LogStream stream, IReadOnlyCollection<string> secrets, Action<LogStream, string> output)
    {
        var keep = MaxLineLength + secrets.Select(s => s.Length).DefaultIfEmpty(0).Max();
        var buffer = new char[8192];
        var line = new System.Text.StringBuilder();
        var (cut, pending, afterReturn) = (false, false, false);
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer.AsMemory())) > 0)
            {
                var start = 0;
                for (var i = 0; i < read; i++)
                {
                    var c = buffer[i];
                    if (c is not ('\n' or '\r'))
                    {
                        afterReturn = false;
                        continue;
                    }

                    if (c == '\n' && afterReturn)
                    {
                        // The \n of a \r\n: its line was handed on at the \r.
                        afterReturn = false;
                        start = i + 1;
                        continue;
                    }

                    Append(start, i - start);
                    Emit();
                    afterReturn = c == '\r';
                    start = i + 1;
                }

                Append(start, read - start);
            }
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException)
        {
            // The process went away; what it printed so far is handed on below.
        }

        if (pending)
        {
            Emit();
        }

        void Append(int from, int count)
        {
            if (count == 0)
            {
                return;
            }

            pending = true;
            var room = keep - line.Length;
            if (count > room)
            {
                cut = true;
            }

            if (room > 0)
            {
                line.Append(buffer, from, Math.Min(count, room));
            }
        }

        void Emit()
        {
            var text = MaskSecrets(line.ToString(), secrets);
            if (cut || text.Length > MaxLineLength)
            {
                text = Domain.Common.Texts.Cut(text, MaxLineLength - CutNote.Length) + CutNote;
            }

            (cut, pending) = (false, false);
            line.Clear();
            output(stream, text);
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
