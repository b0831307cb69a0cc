using System.Text.Json.Nodes;
using Platform.Cli.Connection;
using Platform.Cli.Output;

namespace Platform.Cli.Commands;

/// <summary>
/// Prints one deployment of an application as it goes, from the live hub, and answers the exit code its end calls
/// for. The deployment is read from the API every few seconds as well: a message the hub could not send (its queue
/// is bounded) never leaves the client waiting, and the log lines are caught up from the API at the end.
/// </summary>
public sealed class DeploymentFollower(CliContext context, PlatformApi api, LiveFeed feed, Guid applicationId, bool json)
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(3);
    private static readonly string[] Finished = ["OK", "FAILED", "ABORTED"];
    private readonly HashSet<string> _printedLines = [];

    // Log lines carry the service deployment's id (the "services" of the environment deployment), not the environment deployment's.
    private readonly HashSet<string> _serviceDeploymentIds = [];
    private string? _deploymentId;
    private string? _state;
    private JsonNode? _serviceStatus;

    /// <summary>A new key per invocation: the API runs a retried request once.</summary>
    public static Dictionary<string, string> NewIdempotencyKey() => new() { ["Idempotency-Key"] = Guid.NewGuid().ToString() };

    public async Task<int> FollowAsync(JsonNode queued, CancellationToken cancellationToken)
    {
        _deploymentId = Column.Read(queued, "id");
        var environmentId = Column.Read(queued, "environment_id");
        Say($"Deployment {_deploymentId} queued; following it (Ctrl-C stops following, not the deployment).");
        var ended = Ended(queued);
        var lastPoll = DateTimeOffset.UtcNow;
        try
        {
            while (ended is null)
            {
                if (await feed.NextAsync(PollEvery, cancellationToken) is { } message)
                {
                    ended = Handle(message);
                }

                if (ended is null && DateTimeOffset.UtcNow - lastPoll >= PollEvery)
                {
                    lastPoll = DateTimeOffset.UtcNow;
                    ended = Ended((await api.GetAsync($"environment/{environmentId}/deployment/{_deploymentId}", cancellationToken)).Body);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            context.Error.WriteLine($"Stopped following; deployment {_deploymentId} goes on.");
            return ExitCodes.Interrupted;
        }

        await CatchUpLogsAsync(cancellationToken);
        if (json)
        {
            Printer.Raw(context, (await api.GetAsync($"environment/{environmentId}/deployment/{_deploymentId}", cancellationToken)).Raw);
        }

        return await OutcomeAsync(ended, cancellationToken);
    }

    private JsonNode? Handle(LiveMessage message)
    {
        switch (message.Name)
        {
            case "deployment" when Column.Read(message.Body, "id") == _deploymentId:
                return Ended(message.Body!);
            case "status" when Column.Read(message.Body, "service.id") == applicationId.ToString():
                _serviceStatus = message.Body!["status"];
                Say($"Status: {Column.Read(_serviceStatus, "state")}{Suffix(Column.Read(_serviceStatus, "message"))}");
                break;
            case "logs" when message.Body is JsonArray lines:
                foreach (var line in lines.OfType<JsonNode>().Where(l => Column.Read(l, "deployment_id") is var d && (d.Length == 0 || _serviceDeploymentIds.Contains(d))))
                {
                    PrintLine(line);
                }

                break;
        }

        return null;
    }

    /// <summary>Notes the deployment's state when it changed; answers the deployment when it is over.</summary>
    private JsonNode? Ended(JsonNode deployment)
    {
        _serviceDeploymentIds.UnionWith(deployment["services"] is JsonArray services ? services.Select(s => Column.Read(s, "id")) : []);
        var state = Column.Read(deployment, "status.state");
        if (state != _state)
        {
            _state = state;
            Say($"Deployment: {state}");
        }

        return Finished.Contains(state) ? deployment : null;
    }

    private async Task CatchUpLogsAsync(CancellationToken cancellationToken)
    {
        foreach (var serviceDeploymentId in _serviceDeploymentIds)
        {
            var stored = await api.GetAsync($"application/{applicationId}/log?deployment={serviceDeploymentId}&tail=500", cancellationToken);
            foreach (var line in stored.Results.Reverse())
            {
                PrintLine(line);
            }
        }
    }

    private async Task<int> OutcomeAsync(JsonNode ended, CancellationToken cancellationToken)
    {
        var reason = ended["services"] is JsonArray { Count: > 0 } services ? Column.Read(services[0], "status.message") : "";
        reason = reason.Length > 0 ? reason : Column.Read(ended, "status.message");
        switch (Column.Read(ended, "status.state"))
        {
            case "OK":
                Say($"Deployment {_deploymentId} ended OK.");
                return ExitCodes.Ok;
            case "ABORTED":
                context.Error.WriteLine($"Deployment {_deploymentId} was aborted{Suffix(reason)}");
                return ExitCodes.Aborted;
        }

        // The application's state says which part failed; the last one the hub sent serves if the API's is already newer.
        var status = (await api.GetAsync($"application/{applicationId}/status", cancellationToken)).Body["status"];
        var state = Column.Read(status, "state");
        state = state is "BUILD_ERROR" or "DEPLOYMENT_ERROR" ? state : Column.Read(_serviceStatus, "state");
        var (what, code) = state == "BUILD_ERROR" ? ("The build failed", ExitCodes.BuildError) : ("The deployment failed", ExitCodes.DeploymentError);
        context.Error.WriteLine($"{what} ({(state.Length > 0 ? state : "FAILED")}){Suffix(reason)}");
        return code;
    }

    private void PrintLine(JsonNode line)
    {
        if (!json && _printedLines.Add(Column.Read(line, "id")))
        {
            Printer.LogLine(context, line);
        }
    }

    private void Say(string text)
    {
        if (!json)
        {
            context.Out.WriteLine(text);
        }
    }

    private static string Suffix(string message) => message.Length > 0 ? $": {message}" : "";
}
