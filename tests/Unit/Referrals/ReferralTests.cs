using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Platform.Tests.Support;

namespace Platform.Tests.Referrals;

public sealed class ReferralTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Referral_CountsTheUsersWhoSignedUpThroughTheLink()
    {
        var (referrer, _) = await portal.CreateUserClientAsync();
        var before = await referrer.GetFromJsonAsync<JsonObject>("/api/referral");
        var link = new Uri(before!["invitation_link"]!.GetValue<string>());
        var code = link.Segments[^1];

        var anonymous = portal.CreateAnonymousClient();
        var landing = await anonymous.GetAsync(link.PathAndQuery);
        await anonymous.PostAsJsonAsync("/api/auth/register", new
        {
            email = $"friend.{Guid.NewGuid():N}@example.com",
            password = ApiSessions.Password,
            first_name = "Friend",
            last_name = "One",
            referral_code = code,
        });
        await anonymous.RegisterAsync(ApiSessions.NewUser("Stranger", "Two"));
        var after = await referrer.GetFromJsonAsync<JsonObject>("/api/referral");

        Assert.Equal(0, before["total_invited"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.Redirect, landing.StatusCode);
        Assert.Equal($"/account/signup?ref={code}", landing.Headers.Location!.OriginalString);
        Assert.Equal(1, after!["total_invited"]!.GetValue<int>());
        Assert.Equal(link, new Uri(after["invitation_link"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Referral_WithAnOrganizationToken_Returns403()
    {
        var (owner, _) = await portal.CreateUserClientAsync();
        var organization = await (await owner.PostAsJsonAsync("/api/organization", new { name = "referral co" })).Content.ReadFromJsonAsync<JsonObject>();
        var token = await (await owner.PostAsJsonAsync($"/api/organization/{organization!["id"]}/apiToken", new { name = "ci", role = "ADMIN" }))
            .Content.ReadFromJsonAsync<JsonObject>();
        var client = portal.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token!["token"]!.GetValue<string>());

        var response = await client.GetAsync("/api/referral");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
