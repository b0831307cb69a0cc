using System.Net;
using System.Net.Http.Json;
using Platform.Tests.Support;

namespace Platform.Tests.Billing;

/// <summary>The cost side's paths: billing info checked per field, credit codes once, budget, and who may call them.</summary>
public sealed class BillingApiTests(BillingPortal billing) : IClassFixture<BillingPortal>
{
    /// <summary>Every billing path of the cost side, as (method, path with {org} and {cluster}, body).</summary>
    public static TheoryData<string, string> Paths => new()
    {
        { "GET", "/api/organization/{org}/currentCost" },
        { "GET", "/api/cluster/{cluster}/currentCost" },
        { "GET", "/api/organization/{org}/costBudget" },
        { "PUT", "/api/organization/{org}/costBudget" },
        { "GET", "/api/organization/{org}/billingInfo" },
        { "PUT", "/api/organization/{org}/billingInfo" },
        { "POST", "/api/organization/{org}/creditCode" },
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Developer_GetsForbidden_OnEveryBillingPath(string method, string path)
    {
        var (team, cluster, developer, _) = await SharedAsync();

        var response = await SendAsync(developer.Client, method, path, team.OrganizationId, cluster);

        await response.AssertProblemAsync(HttpStatusCode.Forbidden, $"{method} {path} as a DEVELOPER");
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Admin_IsAllowed_OnEveryBillingPath(string method, string path)
    {
        var (team, cluster, _, admin) = await SharedAsync();

        var response = await SendAsync(admin.Client, method, path, team.OrganizationId, cluster, redeem: $"ADMIN-{Guid.NewGuid():N}");

        // The credit code is unknown: the call got past the role check to the code's own (400).
        Assert.Equal(method == "POST" ? HttpStatusCode.BadRequest : HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task AnotherOrganizationsOwner_GetsNotFound_OnEveryBillingPath(string method, string path)
    {
        var (team, cluster, _, _) = await SharedAsync();
        var (stranger, _) = await billing.Portal.CreateUserClientAsync();
        await stranger.CreateOrganizationAsync($"other-{Guid.NewGuid():N}");

        var response = await SendAsync(stranger, method, path, team.OrganizationId, cluster);

        await response.AssertProblemAsync(HttpStatusCode.NotFound, $"{method} {path} from another organization");
    }

    [Theory]
    [InlineData("email", "not-an-email", "FR", null)]
    [InlineData("country_code", "billing@example.com", "XX", null)]
    [InlineData("country_code", "billing@example.com", "France", null)]
    [InlineData("vat_number", "billing@example.com", "FR", "IT12345678901")]
    [InlineData("vat_number", "billing@example.com", "DE", "12345678")]
    [InlineData("vat_number", "billing@example.com", "FR", "FR1234")]
    public async Task BillingInfo_WithABadField_Answers400NamingIt(string field, string email, string country, string? vat)
    {
        var team = (await SharedAsync()).Team;

        var response = await team.Owner.PutAsJsonAsync($"/api/organization/{team.OrganizationId}/billingInfo", Info(email, country, vat));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, $"billing info with a bad {field}");
        Assert.Equal([field], problem.ErrorFields());
    }

    /// <summary>
    /// A NUL cannot be stored by PostgreSQL (it was a 500), and line breaks and other control characters in a name end
    /// up in invoices, PDFs and mail: every text field refuses them with a 400 naming it.
    /// </summary>
    [Theory]
    [InlineData("first_name", "Ada\u0000")]
    [InlineData("company", "Ada Ltd\r\nBcc: victim@example.com")]
    [InlineData("address", "1 rue\u001b[31m")]
    [InlineData("city", "Paris\u202Etxt.exe")]
    [InlineData("zip", "75\u000002")]
    public async Task BillingInfo_WithAControlCharacter_Answers400NamingIt(string field, string value)
    {
        var team = (await SharedAsync()).Team;
        var body = new Dictionary<string, string?>
        {
            ["first_name"] = "Ada", ["last_name"] = "Lovelace", ["email"] = "billing@example.com", ["address"] = "1 rue de la Paix", ["city"] = "Paris",
            ["zip"] = "75002", ["country_code"] = "FR", ["company"] = "Ada Ltd",
        };
        body[field] = value;

        var response = await team.Owner.PutAsJsonAsync($"/api/organization/{team.OrganizationId}/billingInfo", body);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, $"billing info with a control character in {field}");
        Assert.Equal([field], problem.ErrorFields());
    }

    [Theory]
    [InlineData("FR", "FR 40 303 265 045", "FR40303265045")]
    [InlineData("DE", "de129273398", "DE129273398")]
    [InlineData("DE", "129273398", "DE129273398")]
    [InlineData("US", null, null)]
    public async Task BillingInfo_ThatIsValid_IsStoredNormalised(string country, string? vat, string? stored)
    {
        var team = (await SharedAsync()).Team;

        var put = await team.Owner.PutAsJsonAsync($"/api/organization/{team.OrganizationId}/billingInfo", Info("billing@example.com", country.ToLowerInvariant(), vat));
        await put.ExpectAsync(HttpStatusCode.OK, "PUT billingInfo");
        var info = await team.Owner.GetObjectAsync($"/api/organization/{team.OrganizationId}/billingInfo");

        Assert.Equal((country, stored, "Ada Ltd"), (info.Text("country_code"), info.Text("vat_number"), info.Text("company")));
    }

    [Fact]
    public async Task CreditCode_IsSingleUsePerOrganization()
    {
        var first = await billing.CreateTeamAsync();
        var second = await billing.CreateTeamAsync();

        var redeemed = await first.RedeemAsync(" Welcome-50 ");
        var again = await first.RedeemAsync("WELCOME-50");
        var elsewhere = await second.RedeemAsync("WELCOME-50");

        var answer = await redeemed.ReadJsonAsync(HttpStatusCode.OK, "redeem");
        Assert.Equal((5_000L, 5_000L), (answer["credit"].Cents(), answer["remaining_credit"].Cents()));
        var problem = await again.AssertProblemAsync(HttpStatusCode.BadRequest, "a code redeemed twice");
        Assert.Equal(["code"], problem.ErrorFields());
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
    }

    [Fact]
    public async Task CreditCode_UnknownOrExpired_Answers400()
    {
        var team = await billing.CreateTeamAsync();
        var expired = $"OLD-{CatalogueSteps.Unique()}".ToUpperInvariant();
        await billing.Portal.ExecuteSqlAsync(
            "INSERT INTO credit_code (code, amount_cents, currency, expires_at) VALUES (@code, 1000, 'EUR', @expires)", ("code", expired), ("expires", billing.Clock.GetUtcNow().AddDays(-1)));

        var unknown = await team.RedeemAsync("NO-SUCH-CODE");
        var late = await team.RedeemAsync(expired);

        Assert.Equal(["code"], (await unknown.AssertProblemAsync(HttpStatusCode.BadRequest, "an unknown code")).ErrorFields());
        Assert.Equal(["code"], (await late.AssertProblemAsync(HttpStatusCode.BadRequest, "an expired code")).ErrorFields());
    }

    [Fact]
    public async Task CreditCode_PastTenGuessesInAnHour_Answers429OnTheCode_EvenForAValidOne()
    {
        var team = await billing.CreateTeamAsync();
        for (var i = 0; i < Domain.Billing.BillingAttempts.PerHour; i++)
        {
            await team.RedeemAsync($"GUESS-{i}");
        }

        var refused = await team.RedeemAsync("WELCOME-50");

        Assert.Equal(["code"], (await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests, "an eleventh code within the hour")).ErrorFields());
    }

    [Fact]
    public async Task Budget_IsSetAndRead_InCents_AndANegativeOneIs400()
    {
        var team = await billing.CreateTeamAsync();

        await team.SetBudgetAsync(350_000);
        var budget = await team.Owner.GetObjectAsync($"/api/organization/{team.OrganizationId}/costBudget");
        var negative = await team.Owner.PutAsJsonAsync($"/api/organization/{team.OrganizationId}/costBudget", new { total_in_cents = -1 });
        var threshold = (await team.CurrentCostAsync())["community_usage"]!["budget_threshold"]!;

        Assert.Equal((350_000L, 3_500m, "EUR"), (budget.Cents(), budget["total"]!.GetValue<decimal>(), budget.Text("currency_code")));
        Assert.Equal(350_000L, threshold.Cents());
        Assert.Equal(["total_in_cents"], (await negative.AssertProblemAsync(HttpStatusCode.BadRequest, "a negative budget")).ErrorFields());
    }

    [Fact]
    public async Task CurrentCost_OfANewOrganization_IsCommunity_WithItsTrial_AndNoQuota()
    {
        var team = await billing.CreateTeamAsync(trialOver: false);

        var cost = await team.CurrentCostAsync();

        Assert.Equal(("COMMUNITY", 14, 0L, 0L), (cost.Text("plan"), cost["remaining_trial_day"]!.GetValue<int>(), cost["cost"].Cents(), cost["remaining_credit"].Cents()));
        Assert.Null(cost["paid_usage"]);
        Assert.Empty(cost["community_usage"]!["projects"]!.AsArray());
    }

    /// <summary>One organization for the role and validation tests, with a DEVELOPER and an ADMIN besides its owner.</summary>
    private sealed record SharedTeam(BillingTeam Team, Guid Cluster, ApiMember Developer, ApiMember Admin);

    private Task<SharedTeam> SharedAsync() => billing.Portal.SharedAsync(async portal =>
    {
        var team = await billing.CreateTeamAsync();
        return new SharedTeam(team, (await team.Owner.DefaultClusterAsync(team.OrganizationId)).Id(),
            await portal.AddMemberAsync(team.Owner, team.OrganizationId, "DEVELOPER"), await portal.AddMemberAsync(team.Owner, team.OrganizationId, "ADMIN"));
    });

    private static object Info(string email, string country, string? vat) => new
    {
        first_name = "Ada",
        last_name = "Lovelace",
        email,
        address = "1 rue de la Paix",
        city = "Paris",
        zip = "75002",
        state = (string?)null,
        country_code = country,
        company = "Ada Ltd",
        vat_number = vat,
    };

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path, Guid organizationId, Guid clusterId, string redeem = "NO-SUCH-CODE")
    {
        var url = path.Replace("{org}", organizationId.ToString(), StringComparison.Ordinal).Replace("{cluster}", clusterId.ToString(), StringComparison.Ordinal);
        return method switch
        {
            "GET" => client.GetAsync(url),
            "PUT" when url.EndsWith("costBudget", StringComparison.Ordinal) => client.PutAsJsonAsync(url, new { total_in_cents = 1000 }),
            "PUT" => client.PutAsJsonAsync(url, Info("billing@example.com", "FR", null)),
            _ => client.PostAsJsonAsync(url, new { code = redeem }),
        };
    }
}
