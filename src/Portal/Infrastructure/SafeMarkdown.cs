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

    public static MarkupString Render(string? markdown) =>
        new(string.IsNullOrWhiteSpace(markdown) ? "" : Sanitizer.Sanitize(Markdown.ToHtml(markdown, Pipeline)));

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
