using System.ComponentModel;
using Platform.Cli.Connection;
using Platform.Cli.Output;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Platform.Cli.Commands;

/// <summary>Lists what the API lists under one path: its JSON as is, or a table of a few columns.</summary>
public abstract class ListCommand<TSettings>(CliContext context) : ApiCommand<TSettings>(context)
    where TSettings : OutputSettings
{
    protected abstract string PathOf(TSettings settings);

    protected abstract IReadOnlyList<Column> Columns { get; }

    protected override async Task<int> RunAsync(PlatformApi api, TSettings settings, CancellationToken cancellationToken)
    {
        var answer = await api.GetAsync(PathOf(settings), cancellationToken);
        if (settings.Json)
        {
            Printer.Raw(Context, answer.Raw);
        }
        else
        {
            Printer.Table(Context, answer.Results, Columns);
        }

        return ExitCodes.Ok;
    }
}

public sealed class OrgListCommand(CliContext context) : ListCommand<OutputSettings>(context)
{
    protected override string PathOf(OutputSettings settings) => "organization";

    protected override IReadOnlyList<Column> Columns { get; } = [new("ID", "id"), new("NAME", "name"), new("ROLE", "role")];
}

public sealed class ProjectListSettings : OutputSettings
{
    [CommandOption("--org <ID>")]
    [Description("The organization's id")]
    public Guid? Org { get; init; }

    public override ValidationResult Validate() => Require.Ids((Org, "--org")) is { Successful: false } error ? error : base.Validate();
}

public sealed class ProjectListCommand(CliContext context) : ListCommand<ProjectListSettings>(context)
{
    protected override string PathOf(ProjectListSettings settings) => $"organization/{settings.Org}/project";

    protected override IReadOnlyList<Column> Columns { get; } = [new("ID", "id"), new("NAME", "name"), new("DESCRIPTION", "description")];
}

public sealed class EnvListSettings : OutputSettings
{
    [CommandOption("--project <ID>")]
    [Description("The project's id")]
    public Guid? Project { get; init; }

    public override ValidationResult Validate() => Require.Ids((Project, "--project")) is { Successful: false } error ? error : base.Validate();
}

public sealed class EnvListCommand(CliContext context) : ListCommand<EnvListSettings>(context)
{
    protected override string PathOf(EnvListSettings settings) => $"project/{settings.Project}/environment";

    protected override IReadOnlyList<Column> Columns { get; } = [new("ID", "id"), new("NAME", "name"), new("MODE", "mode"), new("STATUS", "status.state")];
}

public sealed class AppListSettings : OutputSettings
{
    [CommandOption("--env <ID>")]
    [Description("The environment's id")]
    public Guid? Env { get; init; }

    public override ValidationResult Validate() => Require.Ids((Env, "--env")) is { Successful: false } error ? error : base.Validate();
}

public sealed class AppListCommand(CliContext context) : ListCommand<AppListSettings>(context)
{
    protected override string PathOf(AppListSettings settings) => $"environment/{settings.Env}/application";

    protected override IReadOnlyList<Column> Columns { get; } =
        [new("ID", "id"), new("NAME", "name"), new("STATUS", "status.state"), new("FLAGS", "flags"), new("URL", "url")];
}
