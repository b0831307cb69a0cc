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
        await using var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddScoped<OrganizationContext>();
        var organization = new OrganizationView(Guid.CreateVersion7(), "Acme", null, Guid.CreateVersion7(), role, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

        var header = context.Render<OrganizationHeader>(parameters => parameters
            .Add(h => h.Organization, organization)
            .Add(h => h.Current, "overview"));

        var links = header.FindAll("a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Contains($"/organization/{organization.Id}/members", links);
        Assert.Equal(offered, links.Contains($"/organization/{organization.Id}/tokens"));
    }
}
