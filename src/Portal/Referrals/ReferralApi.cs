using Platform.Domain.Referrals;
using Platform.Portal.Infrastructure;

namespace Platform.Portal.Referrals;

public static class ReferralApi
{
    public sealed record ReferralResponse(int TotalInvited, Uri InvitationLink);

    public static RouteGroupBuilder MapReferralApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("").WithTags("Referral and rewards");
        group.MapGet("/referral", GetAsync).Describe("getReferral", "The caller's referral link and how many signed up through it").NeedsRole();
        return group;
    }

    /// <summary>The referral link's landing: the sign-up page, remembering who referred.</summary>
    public static IEndpointRouteBuilder MapReferralLanding(this IEndpointRouteBuilder app)
    {
        app.MapGet("/join/{code}", (string code) => TypedResults.LocalRedirect($"/account/signup?ref={Uri.EscapeDataString(code)}"))
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Ok<ReferralResponse>, ProblemHttpResult>> GetAsync(
        HttpRequest http, ApiCaller caller, ReferralService referrals, PortalLinks links) =>
        (await referrals.GetAsync(caller, links.For(http))).ToOk(r => new ReferralResponse(r.TotalInvited, r.InvitationLink));
}
