using Platform.Portal.Infrastructure;

namespace Platform.Tests.Logs;

public sealed class SafeMarkdownTests
{
    [Fact]
    public void Render_DropsScriptsEventHandlersAndJavascriptLinks()
    {
        var html = SafeMarkdown.Render("""
            Try **this** <script>alert('x')</script> and [a link](javascript:alert(1)) or <img src=x onerror="alert(2)">
            [docs](https://example.com/docs) and `npm ci`.
            """).Value;

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;img", html, StringComparison.Ordinal); // raw HTML is shown as text, never as an element
        Assert.Contains("<strong>this</strong>", html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://example.com/docs\"", html, StringComparison.Ordinal);
        Assert.Contains("<code>npm ci</code>", html, StringComparison.Ordinal);
    }
}
