using System.ComponentModel;
using Platform.Cli.Connection;
using Platform.Cli.Output;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Platform.Cli.Commands;

/// <summary>The options of a command on one application.</summary>
public class ApplicationSettings : OutputSettings
{
    [CommandOption("--app <ID>")]
    [Description("The application")]
    public Guid? App { get; init; }

    public override ValidationResult Validate() => Require.Ids((App, "--app")) is { Successful: false } error ? error : base.Validate();
}

/// <summary>GET /application/:id/status.</summary>
public sealed class StatusCommand(CliContext context) : ApiCommand<ApplicationSettings>(context)
{
    private static readonly Column[] Columns = [new("STATE", "status.state"), new("SIMPLE", "status.simple_state"), new("MESSAGE", "status.message")];

    protected override async Task<int> RunAsync(PlatformApi api, ApplicationSettings settings, CancellationToken cancellationToken)
    {
        var answer = await api.GetAsync($"application/{settings.App}/status", cancellationToken);
        if (settings.Json)
        {
            Printer.Raw(Context, answer.Raw);
        }
        else
        {
            Printer.Table(Context, [answer.Body], Columns);
        }

        return ExitCodes.Ok;
    }
}

public sealed class DeploymentActionSettings : OutputSettings
{
    [CommandOption("--env <ID>")]
    [Description("The environment the deployment belongs to")]
    public Guid? Env { get; init; }

    [CommandOption("--deployment <ID>")]
    [Description("The deployment")]
    public Guid? Deployment { get; init; }

    public override ValidationResult Validate() => Require.Ids((Env, "--env"), (Deployment, "--deployment")) is { Successful: false } error ? error : base.Validate();
}

/// <summary>An act on one deployment of an environment (rollback, abortDeploy): the API answers the deployment it queued or changed.</summary>
public abstract class DeploymentActionCommand(CliContext context, string action, bool createsDeployment) : ApiCommand<DeploymentActionSettings>(context)
{
    protected override async Task<int> RunAsync(PlatformApi api, DeploymentActionSettings settings, CancellationToken cancellationToken)
    {
        var answer = await api.SendAsync(HttpMethod.Post, $"environment/{settings.Env}/deployment/{settings.Deployment}/{action}", null, cancellationToken,
            createsDeployment ? DeploymentFollower.NewIdempotencyKey() : null);
        Printer.Answer(Context, settings, answer.Raw, $"Deployment {Column.Read(answer.Body, "id")} ({Column.Read(answer.Body, "kind")}) is {Column.Read(answer.Body, "status.state")}.");

        return ExitCodes.Ok;
    }
}

public sealed class RollbackCommand(CliContext context) : DeploymentActionCommand(context, "rollback", createsDeployment: true);

public sealed class AbortCommand(CliContext context) : DeploymentActionCommand(context, "abortDeploy", createsDeployment: false);
