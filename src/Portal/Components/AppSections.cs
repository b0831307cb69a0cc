namespace Platform.Portal.Components;

/// <summary>Named places in the shell that pages and features fill with SectionContent.</summary>
public static class AppSections
{
    /// <summary>The app bar's slot for the organization switcher.</summary>
    public const string OrganizationSwitcher = "organization-switcher";
}
