using Platform.Cli.Connection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Platform.Cli.Commands;

/// <summary>A command that calls the API as the stored login.</summary>
public abstract class ApiCommand<TSettings>(CliContext cli) : AsyncCommand<TSettings>
    where TSettings : CommandSettings
{
    protected CliContext Context { get; } = cli;

    public override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        using var api = PlatformApi.Connect(Context);
        return await RunAsync(api, settings, cancellationToken);
    }

    protected abstract Task<int> RunAsync(PlatformApi api, TSettings settings, CancellationToken cancellationToken);
}

/// <summary>The checks options share: a required id, exactly one of several.</summary>
public static class Require
{
    public static ValidationResult Ids(params (Guid? Value, string Option)[] options)
    {
        var missing = options.Where(o => o.Value is null).Select(o => o.Option).ToList();
        return missing.Count == 0 ? ValidationResult.Success() : ValidationResult.Error($"{string.Join(" and ", missing)} {(missing.Count == 1 ? "is" : "are")} required.");
    }

    public static ValidationResult OneOf(params (Guid? Value, string Option)[] options) =>
        options.Count(o => o.Value is not null) == 1
            ? ValidationResult.Success()
            : ValidationResult.Error($"Give exactly one of {string.Join(", ", options.Select(o => o.Option))}.");
}
