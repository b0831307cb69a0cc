using Platform.Domain.Billing.Cards;

namespace Platform.Portal.Billing;

public static class CardApi
{
    /// <summary>The draft's card form. Its text form hides the number and CVV, should anything ever print it.</summary>
    public sealed record CardRequest(string? Number, string? Cvv, int? ExpiryMonth, int? ExpiryYear)
    {
        public override string ToString() => $"{nameof(CardRequest)} {{ *** }}";
    }

    /// <summary>The draft's card, masked to its last four digits (<c>last_digit</c>), with its brand and whether it is the default.</summary>
    public sealed record CardResponse(Guid Id, int ExpiryMonth, int ExpiryYear, string LastDigit, bool IsExpired, string Brand, bool IsDefault);

    public static RouteGroupBuilder MapCardApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("").WithTags("Billing");
        group.MapGet("/organization/{id:guid}/creditCard", ListAsync).Describe("listOrganizationCreditCards", "The organization's cards, masked (OWNER and ADMIN)").NeedsRole();
        group.MapPost("/organization/{id:guid}/creditCard", AddAsync)
            .Describe("addOrganizationCreditCard", "Add a card: validated, handed to the payment gateway and never stored; it becomes the default");
        group.MapDelete("/creditCard/{id:guid}", DeleteAsync).Describe("deleteCreditCard", "Remove a card");
        return group;
    }

    private static async Task<Results<Ok<ListResponse<CardResponse>>, ProblemHttpResult>> ListAsync(Guid id, ApiCaller caller, CardService cards) =>
        (await cards.ListAsync(caller, id)).ToOk(list => new ListResponse<CardResponse>(list.Select(ToResponse).ToList()));

    private static async Task<Results<Created<CardResponse>, ProblemHttpResult>> AddAsync(Guid id, CardRequest request, ApiCaller caller, CardService cards) =>
        (await cards.AddAsync(caller, id, new CardInput(request.Number, request.Cvv, request.ExpiryMonth, request.ExpiryYear))).ToCreated(ToResponse);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, ApiCaller caller, CardService cards) =>
        (await cards.DeleteAsync(caller, id)).ToNoContent();

    private static CardResponse ToResponse(CardView c) => new(c.Id, c.ExpiryMonth, c.ExpiryYear, c.LastFour, c.IsExpired, c.Brand, c.IsDefault);
}
