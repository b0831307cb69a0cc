using MudBlazor;
using Platform.Domain.Members;

namespace Platform.Portal.Components.Common;

/// <summary>How roles read on the pages.</summary>
public static class Roles
{
    public static readonly OrganizationRole[] Assignable = [OrganizationRole.Admin, OrganizationRole.Developer, OrganizationRole.Viewer];

    public static string Label(OrganizationRole role) => Labels.Of(role);

    public static Color Color(OrganizationRole role) => role switch
    {
        OrganizationRole.Owner => MudBlazor.Color.Primary,
        OrganizationRole.Admin => MudBlazor.Color.Secondary,
        OrganizationRole.Developer => MudBlazor.Color.Info,
        _ => MudBlazor.Color.Default,
    };
}
