using Platform.Domain.Billing;

namespace Platform.Portal.Billing;

/// <summary>The cost side of the draft's billing module: current cost, budget, billing info, credit codes (OWNER and ADMIN).</summary>
public static class CostApi
{
    public sealed record BudgetRequest(long? TotalInCents);

    public sealed record BillingInfoRequest(
        string? FirstName, string? LastName, string? Email, string? Address, string? City, string? Zip, string? State, string? CountryCode, string? Company, string? VatNumber);

    /// <summary>Every field null until the billing info is given.</summary>
    public sealed record BillingInfoResponse(
        string? FirstName, string? LastName, string? Email, string? Address, string? City, string? Zip, string? State, string? CountryCode, string? Company, string? VatNumber);

    public sealed record CreditCodeRequest(string? Code);

    public static RouteGroupBuilder MapCostApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("").WithTags("Billing");
        group.MapGet("/organization/{id:guid}/currentCost", CurrentCostAsync)
            .Describe("getOrganizationCurrentCost", "This month's cost so far, the plan, the trial, the credit left and the deployment quota (OWNER, ADMIN)")
            .WithDescription("Figures as the cost aggregation last computed them (every few minutes), from the applications' running time.").NeedsRole();
        group.MapGet("/cluster/{id:guid}/currentCost", ClusterCostAsync).Describe("getClusterCurrentCost", "This month's cost of the cluster's environments so far (OWNER, ADMIN)").NeedsRole();
        group.MapGet("/organization/{id:guid}/costBudget", BudgetAsync).Describe("getOrganizationCostBudget", "The monthly budget; 0 for none (OWNER, ADMIN)").NeedsRole();
        group.MapPut("/organization/{id:guid}/costBudget", SetBudgetAsync)
            .Describe("updateOrganizationCostBudget", "Set the monthly budget in cents; 0 for none. 80% and 100% of it send an alert once a month (OWNER, ADMIN)");
        group.MapGet("/organization/{id:guid}/billingInfo", BillingInfoAsync).Describe("getOrganizationBillingInfo", "Who is billed (OWNER, ADMIN)").NeedsRole();
        group.MapPut("/organization/{id:guid}/billingInfo", SetBillingInfoAsync)
            .Describe("updateOrganizationBillingInfo", "Set who is billed: email and ISO 3166-1 alpha-2 country required; a VAT number in its country's format (OWNER, ADMIN)");
        group.MapPost("/organization/{id:guid}/creditCode", RedeemAsync)
            .Describe("redeemOrganizationCreditCode", "Redeem a credit code, once per organization; spent before the card (OWNER, ADMIN)");
        return group;
    }

    private static async Task<Results<Ok<CurrentCostView>, ProblemHttpResult>> CurrentCostAsync(Guid id, ApiCaller caller, BillingService billing) =>
        (await billing.CurrentCostAsync(caller, id)).ToOk(view => view);

    private static async Task<Results<Ok<Money>, ProblemHttpResult>> ClusterCostAsync(Guid id, ApiCaller caller, BillingService billing) =>
        (await billing.ClusterCostAsync(caller, id)).ToOk(money => money);

    private static async Task<Results<Ok<Money>, ProblemHttpResult>> BudgetAsync(Guid id, ApiCaller caller, BillingService billing) =>
        (await billing.BudgetAsync(caller, id)).ToOk(money => money);

    private static async Task<Results<Ok<Money>, ProblemHttpResult>> SetBudgetAsync(Guid id, BudgetRequest request, ApiCaller caller, BillingService billing) =>
        (await billing.SetBudgetAsync(caller, id, request.TotalInCents)).ToOk(money => money);

    private static async Task<Results<Ok<BillingInfoResponse>, ProblemHttpResult>> BillingInfoAsync(Guid id, ApiCaller caller, BillingService billing) =>
        (await billing.BillingInfoAsync(caller, id)).ToOk(ToResponse);

    private static async Task<Results<Ok<BillingInfoResponse>, ProblemHttpResult>> SetBillingInfoAsync(
        Guid id, BillingInfoRequest request, ApiCaller caller, BillingService billing) =>
        (await billing.SetBillingInfoAsync(caller, id, new BillingInfo(
            request.FirstName, request.LastName, request.Email ?? "", request.Address, request.City, request.Zip, request.State, request.CountryCode ?? "",
            request.Company, request.VatNumber))).ToOk(info => ToResponse(info));

    private static async Task<Results<Ok<CreditCodeView>, ProblemHttpResult>> RedeemAsync(Guid id, CreditCodeRequest request, ApiCaller caller, BillingService billing) =>
        (await billing.RedeemAsync(caller, id, request.Code)).ToOk(view => view);

    private static BillingInfoResponse ToResponse(BillingInfo? info) => new(
        info?.FirstName, info?.LastName, info?.Email, info?.Address, info?.City, info?.Zip, info?.State, info?.CountryCode, info?.Company, info?.VatNumber);
}
