using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components;

namespace Platform.Portal.Components.Layout;

/// <summary>
/// A MudBlazor icon as one piece of markup, the &lt;svg&gt; MudIcon renders, for interactive pages and islands that should not
/// hold a component per icon in their circuit (each component keeps two render trees there). The markup of each icon, size
/// and class is built once for the process, not once per render of every circuit.
/// </summary>
public static class SvgIcon
{
    // Icons are MudBlazor's constants and the sizes and classes a handful: a few hundred entries at most; past the bound
    // (an icon from data, say) markup is built as it is asked for, not kept.
    private const int MostCached = 512;
    private static readonly ConcurrentDictionary<(string Icon, string Size, string? Class), MarkupString> Cache = new();

    public static MarkupString Of(string icon, string size = "medium", string? extraClass = null)
    {
        if (Cache.TryGetValue((icon, size, extraClass), out var cached))
        {
            return cached;
        }

        var markup = new MarkupString(
            $"<svg class=\"mud-icon-root mud-svg-icon mud-icon-size-{size}{(extraClass is null ? "" : " " + extraClass)}\" focusable=\"false\" viewBox=\"0 0 24 24\" aria-hidden=\"true\">{icon}</svg>");
        return Cache.Count < MostCached ? Cache.GetOrAdd((icon, size, extraClass), markup) : markup;
    }

    /// <summary>A MudBlazor colour as its CSS class suffix: Color.Success → "success".</summary>
    public static string ColorName(MudBlazor.Color color) => color switch
    {
        MudBlazor.Color.Default => "default",
        MudBlazor.Color.Primary => "primary",
        MudBlazor.Color.Secondary => "secondary",
        MudBlazor.Color.Tertiary => "tertiary",
        MudBlazor.Color.Info => "info",
        MudBlazor.Color.Success => "success",
        MudBlazor.Color.Warning => "warning",
        MudBlazor.Color.Error => "error",
        MudBlazor.Color.Dark => "dark",
        MudBlazor.Color.Transparent => "transparent",
        MudBlazor.Color.Inherit => "inherit",
        MudBlazor.Color.Surface => "surface",
        _ => color.ToString().ToLowerInvariant(),
    };
}
