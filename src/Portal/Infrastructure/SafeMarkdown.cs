using Ganss.Xss;
using Markdig;
using Microsoft.AspNetCore.Components;

namespace Platform.Portal.Infrastructure;

/// <summary>
/// Markdown shown in the portal (log explanations and hints): rendered by Markdig without raw HTML, then
/// sanitized with an allow-list, so no script, event handler or javascript: link ever reaches a page.
/// </summary>
public static class SafeMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().DisableHtml().Build();

    private static readonly HtmlSanitizer Sanitizer = CreateSanitizer();

    /// <summary>Rendered texts, by their Markdown: explanations are a few fixed texts shown on many lines.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Rendered = new(StringComparer.Ordinal);

    private const int MaxCached = 1000;

    public static MarkupString Render(string? markdown)
    {
        if (string.IsNullOrWhiteSpace(markdown))
        {
            return new MarkupString("");
        }

        if (Rendered.TryGetValue(markdown, out var html))
        {
            return new MarkupString(html);
        }

        html = Sanitizer.Sanitize(Markdown.ToHtml(markdown, Pipeline));
        if (Rendered.Count < MaxCached)
        {
            Rendered.TryAdd(markdown, html);
        }

        return new MarkupString(html);
    }

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedTags.Clear();
        foreach (var tag in new[] { "p", "em", "strong", "code", "pre", "a", "ul", "ol", "li", "br", "blockquote" })
        {
            sanitizer.AllowedTags.Add(tag);
        }

        sanitizer.AllowedAttributes.Clear();
        sanitizer.AllowedAttributes.Add("href");
        sanitizer.AllowedSchemes.Clear();
        sanitizer.AllowedSchemes.Add("https");
        sanitizer.AllowedSchemes.Add("http");
        sanitizer.AllowedSchemes.Add("mailto");
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement { TagName: "A" } link)
            {
                link.SetAttribute("rel", "noopener noreferrer nofollow");
                link.SetAttribute("target", "_blank");
            }
        };
        sanitizer.AllowedAttributes.Add("rel");
        sanitizer.AllowedAttributes.Add("target");
        return sanitizer;
    }
}
