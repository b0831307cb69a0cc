using System.Globalization;
using System.Text;

namespace Platform.Benchmarks.Harness;

/// <summary>The dated Markdown report: machine facts first, then one section per benchmark, each line also printed as it comes.</summary>
internal sealed class Report
{
    private readonly List<ReportSection> _sections = [];

    public ReportSection Section(string title)
    {
        var section = new ReportSection(title);
        _sections.Add(section);
        Console.WriteLine();
        Console.WriteLine($"== {title} ==");
        return section;
    }

    public string Write(string directory, bool quick, IReadOnlyList<(string Fact, string Value)> machine, TimeSpan elapsed)
    {
        Directory.CreateDirectory(directory);
        var now = DateTimeOffset.UtcNow;
        var path = Path.Combine(directory, $"{now:yyyy-MM-dd-HHmm}{(quick ? "-quick" : "")}.md");
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Benchmark report, {now:yyyy-MM-dd HH:mm} UTC{(quick ? " (--quick)" : "")}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Produced by `bench/run.sh{(quick ? " --quick" : "")}` in {elapsed.TotalMinutes:0.0} min.");
        text.AppendLine();
        text.AppendLine("| machine | |");
        text.AppendLine("|---|---|");
        foreach (var (fact, value) in machine)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {fact} | {value} |");
        }

        var targets = _sections.SelectMany(s => s.Targets.Select(t => (Section: s.Title, Target: t))).ToList();
        if (targets.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("## Targets");
            text.AppendLine();
            text.AppendLine("| section | measure | result | target | met |");
            text.AppendLine("|---|---|---|---|---|");
            foreach (var (title, t) in targets)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {title} | {t.Measure} | {t.Result} | {t.Target} | {(t.Met ? "yes" : "**no**")} |");
            }
        }

        foreach (var section in _sections)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"## {section.Title}");
            text.AppendLine();
            text.Append(section.Body);
        }

        File.WriteAllText(path, text.ToString());
        return path;
    }
}

internal sealed record ReportTarget(string Measure, string Result, string Target, bool Met);

/// <summary>Paragraphs, tables and targets (measure, result, target, met) of one benchmark.</summary>
internal sealed class ReportSection(string title)
{
    public string Title { get; } = title;

    public StringBuilder Body { get; } = new();

    public List<ReportTarget> Targets { get; } = [];

    public void Paragraph(string text)
    {
        Console.WriteLine(text);
        Body.AppendLine(text).AppendLine();
    }

    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var lines = new List<string>
        {
            "| " + string.Join(" | ", headers) + " |",
            "|" + string.Concat(headers.Select(_ => "---|")),
        };
        lines.AddRange(rows.Select(row => "| " + string.Join(" | ", row) + " |"));
        foreach (var line in lines)
        {
            Console.WriteLine(line);
            Body.AppendLine(line);
        }

        Body.AppendLine();
    }

    /// <summary>A figure against its target; the report lists every one of them at the top, misses in bold.</summary>
    public void Target(string measure, string result, string target, bool met)
    {
        Console.WriteLine($"{measure}: {result} (target {target}) {(met ? "met" : "MISSED")}");
        Targets.Add(new ReportTarget(measure, result, target, met));
    }
}
