using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace Platform.E2E.Support;

/// <summary>
/// axe-core (the npm package pinned in tests/E2E/package.json, installed by `npm ci` there) run in the page:
/// the WCAG 2.1 A and AA rules, failing on any violation of impact serious or critical.
/// </summary>
public static class Axe
{
    private static readonly string[] Tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
    private static readonly string[] Failing = ["serious", "critical"];

    private static readonly Lazy<string> ScriptPath = new(FindScript);

    /// <summary>Checks the page as it is now, and fails with each serious or critical violation's rule, elements and help.</summary>
    public static async Task AssertNoSeriousViolationsAsync(IPage page, string what)
    {
        var violations = await RunAsync(page);
        var failing = violations.Where(v => Failing.Contains(v.Impact)).ToList();
        Assert.True(failing.Count == 0, Describe(what, page.Url, failing));
    }

    public static async Task<IReadOnlyList<AxeViolation>> RunAsync(IPage page)
    {
        await SettledAsync(page);
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe !== 'undefined'"))
        {
            await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = ScriptPath.Value });
        }

        var json = await page.EvaluateAsync<JsonElement>(
            """
            async tags => {
              const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
              return result.violations.map(v => ({
                id: v.id,
                impact: v.impact ?? '',
                help: v.help,
                helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({
                  target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : t).join(' '),
                  html: n.html.length > 160 ? n.html.slice(0, 160) + '…' : n.html,
                  summary: n.failureSummary ?? '',
                })),
              }));
            }
            """, Tags);
        return json.Deserialize<List<AxeViolation>>(JsonOptions) ?? [];
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true };

    private static string Describe(string what, string url, List<AxeViolation> violations)
    {
        var text = new StringBuilder($"{what} ({url}) has {violations.Count} serious or critical accessibility violation(s):");
        foreach (var violation in violations)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\n- {violation.Id} [{violation.Impact}]: {violation.Help} ({violation.HelpUrl})");
            foreach (var node in violation.Nodes)
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\n    {node.Target}\n      {node.Html}");
                foreach (var line in node.Summary.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1))
                {
                    text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\n      {line}");
                }
            }
        }

        return text.ToString();
    }

    /// <summary>tests/E2E/node_modules/axe-core/axe.min.js, found from the test assembly's folder upwards.</summary>
    /// <summary>
    /// Waits until no CSS transition runs (a theme switch fades colours; a tooltip fades in), so that axe reads the
    /// colours the page settles on, not one frame of a fade. Endless animations (spinners) are not transitions.
    /// </summary>
    private static async Task SettledAsync(IPage page)
    {
        try
        {
            await page.WaitForFunctionAsync(
                "() => document.getAnimations().every(a => !(a instanceof CSSTransition) || a.playState !== 'running')",
                null, new PageWaitForFunctionOptions { Timeout = 5_000, PollingInterval = 50 });
        }
        catch (TimeoutException)
        {
            // A transition that never ends is the page's to answer for: axe reads it as it is.
        }
    }

    private static string FindScript()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Platform.E2E.csproj")))
            {
                var script = Path.Combine(folder.FullName, "node_modules", "axe-core", "axe.min.js");
                return File.Exists(script)
                    ? script
                    : throw new InvalidOperationException($"axe-core is not installed: run `npm ci` in {folder.FullName} (./test.sh does).");
            }
        }

        throw new InvalidOperationException($"The folder of Platform.E2E.csproj was not found above {AppContext.BaseDirectory}.");
    }
}

public sealed record AxeViolation(string Id, string Impact, string Help, string HelpUrl, IReadOnlyList<AxeNode> Nodes);

public sealed record AxeNode(string Target, string Html, string Summary);
