using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Addons;
using Platform.Domain.Common;
using Platform.Tests.Support;

namespace Platform.Tests.Addons;

/// <summary>
/// GET /project/{id}/addon/{name}/delivery: one addon's log on one project, with the history paging rules (tail
/// and page newest first, lastId oldest first after an entry); rows are seeded directly, as the dispatch side writes them.
/// </summary>
public sealed class AddonDeliveryLogTests(AddonPortal addons) : IClassFixture<AddonPortal>
{
    private PortalFactory Portal => addons.Portal;

    [Fact]
    public async Task DeliveryLog_TailAndPage_AnswerTheAddonsDeliveriesNewestFirst()
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var (project, slack) = await SeedAsync(org);

        var first = await org.Owner.GetObjectAsync($"/api/project/{project}/addon/slack/delivery?tail=2");
        var second = await org.Owner.GetObjectAsync($"/api/project/{project}/addon/Slack/delivery?tail=2&page=2");

        Assert.Equal(5, first["total"]!.GetValue<int>());
        Assert.Equal(2, first["page_size"]!.GetValue<int>());
        Assert.Equal([slack[4], slack[3]], first["results"]!.AsArray().Select(d => d!.AsObject().Id()));
        Assert.Equal([slack[2], slack[1]], second["results"]!.AsArray().Select(d => d!.AsObject().Id()));
        var newest = first["results"]![0]!;
        Assert.Equal("Slack", newest.Text("addon"));
        Assert.Equal("FAILED", newest.Text("status"));
        Assert.Equal(503, newest["http_status"]!.GetValue<int>());
        Assert.Equal(3, newest["attempts"]!.GetValue<int>());
    }

    [Fact]
    public async Task DeliveryLog_AfterLastId_AnswersTheNewerOnesOldestFirst()
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var (project, slack) = await SeedAsync(org);

        var after = await org.Owner.GetObjectAsync($"/api/project/{project}/addon/Slack/delivery?lastId={slack[2]}");
        var ofAnotherAddon = await org.Owner.GetAsync($"/api/project/{project}/addon/Webhook/delivery?lastId={slack[2]}");

        Assert.Equal([slack[3], slack[4]], after["results"]!.AsArray().Select(d => d!.AsObject().Id()));
        Assert.Null(after["total"]);
        Assert.Equal(["lastId"], (await ofAnotherAddon.AssertProblemAsync(HttpStatusCode.BadRequest, "lastId of another addon's log")).ErrorFields());
    }

    [Fact]
    public async Task DeliveryLog_OfAnUnknownAddon_Answers404()
    {
        var org = await AddonOrganization.SharedAsync(Portal);
        var project = await org.NewProjectAsync();

        var response = await org.Owner.GetAsync($"/api/project/{project}/addon/PagerDuty/delivery");

        await response.AssertProblemAsync(HttpStatusCode.NotFound, "the log of an unknown addon");
    }

    /// <summary>Five Slack deliveries on a new project, one Webhook delivery between them and one Slack delivery of another project.</summary>
    private async Task<(Guid Project, List<Guid> Slack)> SeedAsync(AddonOrganization org)
    {
        var project = await org.NewProjectAsync();
        var other = await org.NewProjectAsync();
        var slack = new List<Guid>();
        await using var db = await Portal.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContextAsync();
        for (var i = 0; i < 5; i++)
        {
            var delivery = Delivery(org.Id, project, AddonKind.Slack, failed: i == 4);
            slack.Add(delivery.Id);
            db.AddonDeliveries.Add(delivery);
            await db.SaveChangesAsync();
            if (i == 1)
            {
                db.AddonDeliveries.Add(Delivery(org.Id, project, AddonKind.Webhook, failed: false));
                db.AddonDeliveries.Add(Delivery(org.Id, other, AddonKind.Slack, failed: false));
                await db.SaveChangesAsync();
            }
        }

        return (project, slack);
    }

    private static AddonDelivery Delivery(Guid organization, Guid project, AddonKind kind, bool failed) => new()
    {
        OrganizationId = organization,
        ProjectId = project,
        Kind = kind,
        Event = failed ? AddonEvents.DeploymentFailed : AddonEvents.DeploymentSucceeded,
        Payload = "{}",
        Status = failed ? AddonDeliveryStatus.Failed : AddonDeliveryStatus.Delivered,
        Attempts = failed ? 3 : 1,
        HttpStatus = failed ? 503 : 200,
        Error = failed ? "The receiver answered 503." : null,
        DurationMs = 12,
        CreatedAt = DateTimeOffset.UtcNow,
        UpdatedAt = DateTimeOffset.UtcNow,
    };
}
