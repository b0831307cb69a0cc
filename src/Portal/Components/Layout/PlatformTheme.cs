using MudBlazor;

namespace Platform.Portal.Components.Layout;

public static class PlatformTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#4f46e5",
            Secondary = "#64748b",
            AppbarBackground = "#111827",
            AppbarText = "#f9fafb",
            Background = "#f8fafc",
            DrawerBackground = "#ffffff",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#818cf8",
            Secondary = "#94a3b8",
            AppbarBackground = "#0b1020",
            Background = "#0f172a",
            Surface = "#111827",
            DrawerBackground = "#0b1020",
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "8px" },
    };
}
