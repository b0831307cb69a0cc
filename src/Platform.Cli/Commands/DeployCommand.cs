using System.ComponentModel;
using System.Text.Json.Nodes;
using Platform.Cli.Connection;
using Platform.Cli.Output;
using Spectre.Console.Cli;

namespace Platform.Cli.Commands;

public sealed class DeploySettings : ApplicationSettings
{
    [CommandOption("--commit <SHA>")]
    [Description("Deploy this commit instead of the branch's head")]
    public string? Commit { get; init; }

    [CommandOption("--no-follow")]
    [Description("Answer as soon as the deployment is queued")]
    public bool NoFollow { get; init; }
}

/// <summary>
/// POST /application/:id/deploy, then follows the deployment on the live hub: its state, the application's status and
/// the deployment's log lines as they come, until it ends (exit codes in <see cref="ExitCodes"/>).
/// </summary>
public sealed class DeployCommand(CliContext context) : ApiCommand<DeploySettings>(context)
{
    protected override async Task<int> RunAsync(PlatformApi api, DeploySettings settings, CancellationToken cancellationToken)
    {
        var application = settings.App!.Value;
        await using var feed = settings.NoFollow ? null : await LiveFeed.OpenAsync(api, application, cancellationToken);
        var body = settings.Commit is null ? null : new JsonObject { ["git_commit_id"] = settings.Commit };
        var queued = await api.SendAsync(HttpMethod.Post, $"application/{application}/deploy", body, cancellationToken, DeploymentFollower.NewIdempotencyKey());
        if (feed is null)
        {
            Printer.Answer(Context, settings, queued.Raw, $"Deployment {Column.Read(queued.Body, "id")} is {Column.Read(queued.Body, "status.state")}.");

            return ExitCodes.Ok;
        }

        return await new DeploymentFollower(Context, api, feed, application, settings.Json).FollowAsync(queued.Body, cancellationToken);
    }
}
