using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Platform.Domain.Members;
using Platform.Domain.Organizations;
using Platform.Portal.Organizations;

namespace Platform.Tests.Components;

public sealed class OrganizationHeaderTests
{
    [Theory]
    [InlineData(OrganizationRole.Owner, true)]
    [InlineData(OrganizationRole.Admin, true)]
    [InlineData(OrganizationRole.Developer, false)]
    [InlineData(OrganizationRole.Viewer, false)]
    public async Task OrganizationHeader_OffersApiTokensOnlyToRolesThatManageThem(OrganizationRole role, bool offered)
    {
        await using var context = NewContext();

        var (links, id) = Links(context, role);

        Assert.Contains($"/organization/{id}/members", links);
        Assert.Equal(offered, links.Contains($"/organization/{id}/tokens"));
    }

    [Theory]
    [InlineData(OrganizationRole.Owner, true)]
    [InlineData(OrganizationRole.Admin, true)]
    [InlineData(OrganizationRole.Developer, false)]
    [InlineData(OrganizationRole.Viewer, false)]
    public async Task OrganizationHeader_OffersBillingOnlyToOwnersAndAdmins(OrganizationRole role, bool offered)
    {
        await using var context = NewContext();

        var (links, id) = Links(context, role);

        Assert.Contains($"/organization/{id}/settings", links);
        Assert.Equal(offered, links.Contains($"/organization/{id}/billing"));
    }

    private static BunitContext NewContext()
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddScoped<OrganizationContext>();
        return context;
    }

    /// <summary>The header's links for a member of the given role, and the organization's id.</summary>
    private static (List<string?> Links, Guid Id) Links(BunitContext context, OrganizationRole role)
    {
        var organization = new OrganizationView(Guid.CreateVersion7(), "Acme", null, Guid.CreateVersion7(), role, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
        var header = context.Render<OrganizationHeader>(parameters => parameters
            .Add(h => h.Organization, organization)
            .Add(h => h.Current, "overview"));
        return (header.FindAll("a").Select(a => a.GetAttribute("href")).ToList(), organization.Id);
    }
}
