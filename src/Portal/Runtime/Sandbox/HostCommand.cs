using System.Diagnostics;
using System.Text;

namespace Platform.Portal.Runtime.Sandbox;

/// <summary>What a host command answered.</summary>
public sealed record HostCommandResult(int ExitCode, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Its error output in one line, or its exit code when it printed none.</summary>
    public string Reason => Error.Trim() is { Length: > 0 } error ? error.ReplaceLineEndings(" ") : $"exit code {ExitCode}";
}

/// <summary>
/// Runs one of the host's own tools (ip, nft, sysctl, chown) as the portal, with an environment holding nothing but
/// a fixed PATH: no variable of the portal's, and never one of an application's, reaches a process that runs as root.
/// </summary>
public static class HostCommand
{
    public const string Path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task<HostCommandResult> RunAsync(string file, IEnumerable<string> arguments, string? input = null, CancellationToken cancellationToken = default)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Clear();
        info.Environment["PATH"] = Path;
        info.Environment["LANG"] = "C.UTF-8";
        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            return new HostCommandResult(127, "", $"{file} could not be started: {exception.Message}");
        }

        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(new StringBuilder(input), cancellationToken);
            }
        }
        catch (IOException)
        {
            // It exited without reading all of it; its exit code says why.
        }
        finally
        {
            process.StandardInput.Close();
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            return new HostCommandResult(124, "", $"{file} did not finish within {Timeout.TotalSeconds:0} s.");
        }

        return new HostCommandResult(process.ExitCode, await output, await error);
    }

    /// <summary>Runs it and throws with its reason when it fails.</summary>
    public static async Task<HostCommandResult> RunCheckedAsync(string what, string file, IEnumerable<string> arguments, string? input = null, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync(file, arguments, input, cancellationToken);
        return result.Succeeded ? result : throw new SandboxException($"{what} failed: {result.Reason}");
    }

    /// <summary>The full path of a tool on the fixed PATH; null when it is not installed.</summary>
    public static string? Find(string name)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(name) ? name : null;
        }

        return Path.Split(':').Select(directory => System.IO.Path.Combine(directory, name)).FirstOrDefault(File.Exists);
    }
}

/// <summary>The sandbox could not be set up or used; the message says why, for people.</summary>
public sealed class SandboxException(string message) : Exception(message);
