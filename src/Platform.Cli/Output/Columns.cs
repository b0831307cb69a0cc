using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Platform.Cli.Output;

/// <summary>A table column: its heading and the dotted path of the field it shows ("status.state").</summary>
public sealed record Column(string Heading, string Path)
{
    public string ValueOf(JsonNode? item) => Read(item, Path);

    /// <summary>The text at a dotted path of a JSON answer, or "" when it is missing or null.</summary>
    public static string Read(JsonNode? item, string path)
    {
        var node = item;
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject o ? o[part] : null;
        }

        return node switch
        {
            null => "",
            JsonValue value when value.TryGetValue<string>(out var text) => text,
            JsonArray array => string.Join(", ", array.Select(a => a?.ToString())),
            _ => node.ToJsonString(),
        };
    }
}

/// <summary>--output json (the API's JSON as it came) or table (the columns a person reads).</summary>
public class OutputSettings : CommandSettings
{
    [CommandOption("-o|--output <FORMAT>")]
    [System.ComponentModel.Description("json (the API's answer as is) or table (the default)")]
    public string Output { get; init; } = "table";

    public bool Json => Output.Equals("json", StringComparison.OrdinalIgnoreCase);

    public override ValidationResult Validate() =>
        Output.ToLowerInvariant() is "json" or "table" ? ValidationResult.Success() : ValidationResult.Error("--output is json or table.");
}

public static class Printer
{
    public static void Table(CliContext context, IEnumerable<JsonNode> items, IReadOnlyList<Column> columns)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(Markup.Escape(column.Heading)));
        }

        foreach (var item in items)
        {
            table.AddRow(columns.Select(c => new Text(TerminalText.Clean(c.ValueOf(item)))).ToArray());
        }

        context.Console.Write(table);
    }

    /// <summary>The API's JSON as it came (--output json), or the sentence a person reads.</summary>
    public static void Answer(CliContext context, OutputSettings settings, string raw, string text) => context.Out.WriteLine(settings.Json ? raw : text);

    /// <summary>The API's JSON as it came, on a line of its own.</summary>
    public static void Raw(CliContext context, string json) => context.Out.WriteLine(json);

    /// <summary>A log line as the API or the hub gives it: time, stream, message.</summary>
    public static void LogLine(CliContext context, JsonNode line)
    {
        var at = DateTimeOffset.TryParse(Column.Read(line, "created_at"), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var time)
            ? time.ToUniversalTime().ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)
            : "";
        context.Out.WriteLine($"{at} {TerminalText.Clean(Column.Read(line, "stream")).ToLowerInvariant(),-6} {TerminalText.Clean(Column.Read(line, "message"))}");
    }
}
