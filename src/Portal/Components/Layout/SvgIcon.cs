using Microsoft.AspNetCore.Components;

namespace Platform.Portal.Components.Layout;

/// <summary>
/// A MudBlazor icon as one piece of markup, the &lt;svg&gt; MudIcon renders, for interactive pages and islands that should not
/// hold a component per icon in their circuit (each component keeps two render trees there).
/// </summary>
public static class SvgIcon
{
    public static MarkupString Of(string icon, string size = "medium", string? extraClass = null) => new(
        $"<svg class=\"mud-icon-root mud-svg-icon mud-icon-size-{size}{(extraClass is null ? "" : " " + extraClass)}\" focusable=\"false\" viewBox=\"0 0 24 24\" aria-hidden=\"true\">{icon}</svg>");

    /// <summary>A MudBlazor colour as its CSS class suffix: Color.Success → "success".</summary>
    public static string ColorName(MudBlazor.Color color) => color.ToString().ToLowerInvariant();
}
