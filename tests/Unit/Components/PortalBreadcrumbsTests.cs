using Bunit;
using MudBlazor.Services;
using Platform.Domain.Clusters;
using Platform.Domain.Environments;
using Platform.Domain.Members;
using Platform.Domain.Organizations;
using Platform.Domain.Projects;
using Platform.Domain.Services;
using Platform.Portal.Components.Common;

namespace Platform.Tests.Components;

public sealed class PortalBreadcrumbsTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private static readonly OrganizationView Organization = new(Guid.CreateVersion7(), "Acme", null, Guid.CreateVersion7(), OrganizationRole.Owner, Now, Now);
    private static readonly ProjectView Project = new(Guid.CreateVersion7(), Organization.Id, "Shop", null, 1, Now, Now);
    private static readonly EnvironmentView Environment = new(
        Guid.CreateVersion7(), Project.Id, Guid.CreateVersion7(), "staging", EnvironmentMode.Staging, false,
        new ServiceStatus("RUNNING", SimpleState.Ok, null), null, new CloudProvider("Local", "local", "/local.svg"), 1, Now, Now);

    [Fact]
    public async Task Breadcrumbs_OfAService_RunOrganizationProjectEnvironmentService()
    {
        await using var context = NewContext();

        var trail = context.Render<PortalBreadcrumbs>(parameters => parameters
            .Add(b => b.Organization, Organization)
            .Add(b => b.Project, Project)
            .Add(b => b.Environment, Environment)
            .Add(b => b.Service, "web"));

        Assert.Equal(["Acme", "Shop", "staging", "web"], trail.FindAll(".mud-breadcrumb-item").Select(item => item.TextContent.Trim()));
        Assert.Equal(
            [$"/organization/{Organization.Id}", $"/project/{Project.Id}", $"/environment/{Environment.Id}"],
            Links(trail));
    }

    [Fact]
    public async Task Breadcrumbs_OfASubPage_LinkItsOwnerAndEndOnThePage()
    {
        await using var context = NewContext();

        var trail = context.Render<PortalBreadcrumbs>(parameters => parameters
            .Add(b => b.Organization, Organization)
            .Add(b => b.Project, Project)
            .Add(b => b.Page, "Addons"));

        Assert.Equal(["Acme", "Shop", "Addons"], trail.FindAll(".mud-breadcrumb-item").Select(item => item.TextContent.Trim()));
        Assert.Equal([$"/organization/{Organization.Id}", $"/project/{Project.Id}"], Links(trail));
    }

    [Fact]
    public async Task Breadcrumbs_BeforeTheOrganizationIsKnown_ShowNothing()
    {
        await using var context = NewContext();

        var trail = context.Render<PortalBreadcrumbs>(parameters => parameters
            .Add(b => b.Organization, null)
            .Add(b => b.Project, Project));

        Assert.Empty(trail.FindAll(".mud-breadcrumb-item"));
    }

    /// <summary>Where the trail's steps lead; MudBlazor gives the current (disabled) step a placeholder "#".</summary>
    private static IEnumerable<string?> Links(IRenderedComponent<PortalBreadcrumbs> trail) =>
        trail.FindAll(".mud-breadcrumb-item a").Select(a => a.GetAttribute("href")).Where(href => href != "#");

    private static BunitContext NewContext()
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        return context;
    }
}
