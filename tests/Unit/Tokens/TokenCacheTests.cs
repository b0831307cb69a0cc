using System.Net;
using System.Net.Http.Json;
using Platform.Tests.Support;

namespace Platform.Tests.Tokens;

/// <summary>
/// A token's identity is cached between requests (issue 17): every change it depends on still takes effect on the
/// very next request. Each test makes its request twice first, so that the second is answered from the cache.
/// </summary>
public sealed class TokenCacheTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task RevokedOrganizationTokenIsRefusedOnTheNextRequestEvenWhenCached()
    {
        var (owner, _) = await portal.CreateUserClientAsync();
        var organization = await owner.CreateOrganizationAsync($"revoke-{Guid.NewGuid():N}");
        var (tokenId, token) = await owner.CreateOrganizationTokenAsync(organization, "VIEWER");
        var client = portal.CreateBearerClient(token);
        await AnswersTwiceAsync(client, $"/api/organization/{organization}", HttpStatusCode.OK);

        (await owner.DeleteAsync($"/api/apiToken/{tokenId}")).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync($"/api/organization/{organization}")).StatusCode);
    }

    [Fact]
    public async Task RevokedPersonalTokenIsRefusedOnTheNextRequestEvenWhenCached()
    {
        var (client, user) = await portal.CreateUserClientAsync();
        var issued = await (await client.PostAsJsonAsync("/api/auth/token", new { email = user.Email, password = user.Password, name = "doomed" }))
            .ReadJsonAsync(HttpStatusCode.Created, "POST /api/auth/token");
        var doomed = portal.CreateBearerClient(issued["token"]!.GetValue<string>());
        await AnswersTwiceAsync(doomed, "/api/user", HttpStatusCode.OK);

        (await client.DeleteAsync($"/api/apiToken/{issued.Id()}")).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.Unauthorized, (await doomed.GetAsync("/api/user")).StatusCode);
    }

    [Fact]
    public async Task DeletedOrganizationsTokensAreRefusedOnTheNextRequestEvenWhenCached()
    {
        var (owner, _) = await portal.CreateUserClientAsync();
        var organization = await owner.CreateOrganizationAsync($"gone-{Guid.NewGuid():N}");
        var (_, token) = await owner.CreateOrganizationTokenAsync(organization, "ADMIN");
        var client = portal.CreateBearerClient(token);
        await AnswersTwiceAsync(client, $"/api/organization/{organization}", HttpStatusCode.OK);

        (await owner.DeleteAsync($"/api/organization/{organization}")).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync($"/api/organization/{organization}")).StatusCode);
    }

    [Fact]
    public async Task RemovedMemberLosesAccessOnTheNextRequest()
    {
        var (owner, _) = await portal.CreateUserClientAsync();
        var organization = await owner.CreateOrganizationAsync($"members-{Guid.NewGuid():N}");
        var member = await portal.AddMemberAsync(owner, organization, "DEVELOPER");
        await AnswersTwiceAsync(member.Client, $"/api/organization/{organization}/project", HttpStatusCode.OK);

        (await owner.DeleteAsync($"/api/organization/{organization}/member/{member.UserId}")).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.NotFound, (await member.Client.GetAsync($"/api/organization/{organization}/project")).StatusCode);
    }

    [Fact]
    public async Task ChangedRoleTakesEffectOnTheNextRequest()
    {
        var (owner, _) = await portal.CreateUserClientAsync();
        var organization = await owner.CreateOrganizationAsync($"roles-{Guid.NewGuid():N}");
        var member = await portal.AddMemberAsync(owner, organization, "ADMIN");
        await AnswersTwiceAsync(member.Client, $"/api/organization/{organization}/apiToken", HttpStatusCode.OK);

        (await owner.PutAsJsonAsync($"/api/organization/{organization}/member/{member.UserId}", new { role = "VIEWER" })).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.Forbidden, (await member.Client.GetAsync($"/api/organization/{organization}/apiToken")).StatusCode);
    }

    private static async Task AnswersTwiceAsync(HttpClient client, string path, HttpStatusCode expected)
    {
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(expected, (await client.GetAsync(path)).StatusCode);
        }
    }
}
