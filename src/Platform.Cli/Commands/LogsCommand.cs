using System.ComponentModel;
using System.Text.Json.Nodes;
using Platform.Cli.Connection;
using Platform.Cli.Output;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Platform.Cli.Commands;

public sealed class LogsSettings : ApplicationSettings
{
    [CommandOption("--tail <N>")]
    [Description("How many of the latest lines to print first (1 to 500, default 20)")]
    public int Tail { get; init; } = 20;

    [CommandOption("-f|--follow")]
    [Description("Then print new lines as they come, until Ctrl-C")]
    public bool Follow { get; init; }

    public override ValidationResult Validate() =>
        Tail is < 1 or > 500 ? ValidationResult.Error("--tail is from 1 to 500.")
        : base.Validate();
}

/// <summary>The latest lines from the API, oldest first; with --follow, then the hub's lines until cancelled.</summary>
public sealed class LogsCommand(CliContext context) : ApiCommand<LogsSettings>(context)
{
    protected override async Task<int> RunAsync(PlatformApi api, LogsSettings settings, CancellationToken cancellationToken)
    {
        var application = settings.App!.Value;

        // Subscribed before the tail is read: a line written in between comes both ways and is printed once.
        await using var feed = settings.Follow ? await LiveFeed.OpenAsync(api, application, cancellationToken) : null;
        var tail = await api.GetAsync($"application/{application}/log?tail={settings.Tail}", cancellationToken);
        if (settings.Json && !settings.Follow)
        {
            Printer.Raw(Context, tail.Raw);
            return ExitCodes.Ok;
        }

        var seen = new HashSet<string>();
        foreach (var line in tail.Results.Reverse())
        {
            Print(line, settings, seen);
        }

        if (feed is null)
        {
            return ExitCodes.Ok;
        }

        try
        {
            await foreach (var message in feed.Messages.ReadAllAsync(cancellationToken))
            {
                if (message is { Name: "logs", Body: JsonArray lines })
                {
                    foreach (var line in lines.OfType<JsonNode>())
                    {
                        Print(line, settings, seen);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        return ExitCodes.Ok;
    }

    /// <summary>A line as text, or with --output json as one JSON object per line.</summary>
    private void Print(JsonNode line, LogsSettings settings, HashSet<string> seen)
    {
        if (!seen.Add(Column.Read(line, "id")))
        {
            return;
        }

        if (settings.Json)
        {
            Context.Out.WriteLine(line.ToJsonString());
        }
        else
        {
            Printer.LogLine(Context, line);
        }

        Context.Out.Flush();
    }
}
