using MudBlazor;

namespace Platform.Portal.Components.Layout;

/// <summary>
/// The portal's colours. Every text colour meets WCAG 2.1 AA (4.5:1) on the surfaces it is drawn on, including a
/// chip's tinted background: the status colours are darker than MudBlazor's in light mode, and text on the light
/// accents of dark mode is dark (the end-to-end axe checks hold both themes to this).
/// </summary>
public static class PlatformTheme
{
    private const string DarkInk = "#0b1020";

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#4f46e5",
            Secondary = "#475569",
            Success = "#1a7431",
            Warning = "#9a4d06",
            Error = "#b91c1c",
            Info = "#0369a1",
            TextSecondary = "#4b5563",
            AppbarBackground = "#111827",
            AppbarText = "#f9fafb",
            Background = "#f8fafc",
            DrawerBackground = "#ffffff",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#818cf8",
            PrimaryContrastText = DarkInk,
            Secondary = "#94a3b8",
            SecondaryContrastText = DarkInk,
            SuccessContrastText = DarkInk,
            WarningContrastText = DarkInk,
            ErrorContrastText = DarkInk,
            InfoContrastText = DarkInk,
            AppbarBackground = "#0b1020",
            Background = "#0f172a",
            Surface = "#111827",
            DrawerBackground = "#0b1020",
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "8px" },
    };

    /// <summary>The attribute of the html element that names the theme in use ("light" or "dark"), set before the first paint.</summary>
    public const string DarkSelector = ":root[data-theme=dark]";

    /// <summary>
    /// The same theme, whose CSS variables apply under <see cref="DarkSelector"/> only: <see cref="ThemeStyles"/> renders the
    /// light palette at :root and the dark one under this, once, on the server; switching is a change of attribute in the
    /// browser, with no circuit involved.
    /// </summary>
    public static MudTheme DarkScoped { get; } = new()
    {
        PaletteLight = Theme.PaletteLight,
        PaletteDark = Theme.PaletteDark,
        LayoutProperties = Theme.LayoutProperties,
        Typography = Theme.Typography,
        Shadows = Theme.Shadows,
        ZIndex = Theme.ZIndex,
        PseudoCss = new PseudoCss { Scope = DarkSelector },
    };
}
