using System.ComponentModel;
using System.Text.Json.Nodes;
using Platform.Cli.Connection;
using Platform.Cli.Output;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Platform.Cli.Commands;

public sealed class AppCreateSettings : OutputSettings
{
    [CommandOption("--env <ID>")]
    [Description("The environment to add the application to")]
    public Guid? Env { get; init; }

    [CommandOption("--name <NAME>")]
    public string? Name { get; init; }

    [CommandOption("--git-url <URL>")]
    public string? GitUrl { get; init; }

    [CommandOption("--branch <BRANCH>")]
    public string? Branch { get; init; }

    [CommandOption("--root-path <PATH>")]
    public string? RootPath { get; init; }

    [CommandOption("--build-command <COMMAND>")]
    public string? BuildCommand { get; init; }

    [CommandOption("--start-command <COMMAND>")]
    public string? StartCommand { get; init; }

    [CommandOption("--port <PORT>")]
    public int? Port { get; init; }

    [CommandOption("--memory <MB>")]
    public int? Memory { get; init; }

    [CommandOption("--cpu <CPU>")]
    public double? Cpu { get; init; }

    public override ValidationResult Validate()
    {
        if (Require.Ids((Env, "--env")) is { Successful: false } error)
        {
            return error;
        }

        var missing = new[] { (Name, "--name"), (GitUrl, "--git-url"), (StartCommand, "--start-command") }.Where(o => o.Item1 is null).Select(o => o.Item2).ToList();
        return missing.Count > 0 ? ValidationResult.Error($"{string.Join(", ", missing)} required.") : base.Validate();
    }
}

/// <summary>POST /environment/:id/application with the settings given; what is left out takes the API's defaults.</summary>
public sealed class AppCreateCommand(CliContext context) : ApiCommand<AppCreateSettings>(context)
{
    protected override async Task<int> RunAsync(PlatformApi api, AppCreateSettings settings, CancellationToken cancellationToken)
    {
        var git = new JsonObject { ["url"] = settings.GitUrl };
        Optional(git, "branch", settings.Branch);
        Optional(git, "root_path", settings.RootPath);
        var body = new JsonObject { ["name"] = settings.Name, ["git_repository"] = git, ["start_command"] = settings.StartCommand };
        Optional(body, "build_command", settings.BuildCommand);
        Optional(body, "port", settings.Port);
        Optional(body, "memory", settings.Memory);
        Optional(body, "cpu", settings.Cpu);

        var created = await api.SendAsync(HttpMethod.Post, $"environment/{settings.Env}/application", body, cancellationToken);
        Printer.Answer(Context, settings, created.Raw, $"Created application {Column.Read(created.Body, "name")} ({Column.Read(created.Body, "id")}).");

        return ExitCodes.Ok;
    }

    private static void Optional<T>(JsonObject body, string name, T? value)
    {
        if (value is not null)
        {
            body[name] = JsonValue.Create(value);
        }
    }
}
