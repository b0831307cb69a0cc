using System.Diagnostics;
using System.Text;
using Platform.Cli;

namespace Platform.Tests.Cli;

/// <summary>What one run of the client printed and answered.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}; stdout:\n{Out}\nstderr:\n{Error}";
}

/// <summary>
/// Runs the platform client in-process through its entry point, with writers the test reads and environment variables
/// of its own (a config folder per test class, the portal's URL and a token), or as the built tool in a process.
/// </summary>
public sealed class CliRunner(IReadOnlyDictionary<string, string?> variables)
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    public IReadOnlyDictionary<string, string?> Variables { get; } = variables;

    public async Task<CliRun> RunAsync(params string[] args) => await RunAsync(args, new WatchedWriter(), "", CancellationToken.None);

    public async Task<CliRun> RunAsync(string[] args, WatchedWriter output, string input, CancellationToken cancellationToken)
    {
        var error = new WatchedWriter();
        var context = new CliContext(output, error, new StringReader(input), Variables);
        var exitCode = await PlatformCli.RunAsync(args, context, cancellationToken).WaitAsync(Wait, CancellationToken.None);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>The built tool (platform.dll beside the tests) run by dotnet, as a user runs it.</summary>
    public async Task<CliRun> RunProcessAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "platform.dll"));
        foreach (var argument in args)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in Variables)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Wait);
        await process.WaitForExitAsync(timeout.Token);
        return new CliRun(process.ExitCode, await output, await error);
    }
}

/// <summary>A writer the client writes to from any thread and the test waits on: it wakes the waiter at every write.</summary>
public sealed class WatchedWriter : TextWriter
{
    private readonly StringBuilder _text = new();
    private readonly SemaphoreSlim _written = new(0);

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_text)
        {
            _text.Append(value);
        }

        _written.Release();
    }

    public override void Write(string? value)
    {
        lock (_text)
        {
            _text.Append(value);
        }

        _written.Release();
    }

    public override void WriteLine(string? value) => Write(value + "\n");

    public override string ToString()
    {
        lock (_text)
        {
            return _text.ToString();
        }
    }

    /// <summary>Waits until what was written so far satisfies <paramref name="done"/>; fails after <see cref="CliRunner.Wait"/>.</summary>
    public async Task UntilAsync(Func<string, bool> done, string what)
    {
        using var timeout = new CancellationTokenSource(CliRunner.Wait);
        while (!done(ToString()))
        {
            try
            {
                await _written.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Waited {CliRunner.Wait.TotalSeconds:0} s for {what}; the client printed:\n{this}");
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _written.Dispose();
        }

        base.Dispose(disposing);
    }
}
