using Spectre.Console;

namespace Platform.Cli;

/// <summary>
/// What a command reads and writes beside its arguments: the output and error writers, standard input, the environment
/// variables and the HTTP handler. The process passes its own; tests pass writers they read back and variables of their own.
/// </summary>
public sealed class CliContext
{
    private readonly IReadOnlyDictionary<string, string?>? _variables;

    public CliContext(TextWriter output, TextWriter error, TextReader input, IReadOnlyDictionary<string, string?>? variables = null)
    {
        // Everything the commands print passes through a writer that escapes what a terminal would act on.
        Out = new Output.TerminalWriter(output);
        Error = new Output.TerminalWriter(error);
        In = input;
        _variables = variables;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = output == System.Console.Out && !System.Console.IsOutputRedirected ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = output == System.Console.Out && !System.Console.IsOutputRedirected ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public TextReader In { get; }

    /// <summary>Spectre's console over the output itself (its own styling), for tables and help: cells are cleaned by the printer.</summary>
    public IAnsiConsole Console { get; }

    public string? Variable(string name) => _variables is null ? Environment.GetEnvironmentVariable(name) : _variables.GetValueOrDefault(name);
}
