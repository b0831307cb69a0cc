using Microsoft.AspNetCore.Components;

namespace Platform.Portal.Components.Layout;

/// <summary>
/// A MudBlazor icon as one piece of markup, the &lt;svg&gt; MudIcon renders, for interactive islands that should not hold a
/// component per icon in their circuit.
/// </summary>
public static class SvgIcon
{
    public static MarkupString Of(string icon, string size = "medium") => new(
        $"<svg class=\"mud-icon-root mud-svg-icon mud-icon-size-{size}\" focusable=\"false\" viewBox=\"0 0 24 24\" aria-hidden=\"true\">{icon}</svg>");
}
