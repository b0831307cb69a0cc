namespace Platform.Cli;

/// <summary>The exit codes the client answers with (README.md, "The platform command-line client").</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The API refused (its problem is printed), the portal could not be reached, or the client is not logged in.</summary>
    public const int Failed = 1;

    /// <summary>The command line itself is wrong: unknown command or option, missing or malformed value.</summary>
    public const int Usage = 2;

    public const int BuildError = 3;

    public const int DeploymentError = 4;

    public const int Aborted = 5;

    /// <summary>Ctrl-C while a deployment was being followed (the deployment goes on).</summary>
    public const int Interrupted = 130;
}

/// <summary>A failure the client explains in a few plain lines on stderr, then exits with <see cref="ExitCode"/>.</summary>
public class CliException(IReadOnlyList<string> lines, int exitCode = ExitCodes.Failed) : Exception(string.Join(Environment.NewLine, lines))
{
    public CliException(string message, int exitCode = ExitCodes.Failed)
        : this([message], exitCode)
    {
    }

    public IReadOnlyList<string> Lines { get; } = lines;

    public int ExitCode { get; } = exitCode;
}
