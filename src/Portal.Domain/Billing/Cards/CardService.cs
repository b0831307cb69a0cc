namespace Platform.Domain.Billing.Cards;

/// <summary>
/// An organization's cards (PRODUCT.md section 9): added through the payment gateway, which keeps the number; the
/// row keeps its token, brand, last four digits and expiry. The API and the billing pages call it alike.
/// </summary>
public sealed class CardService
{
    /// <summary>The token of the organization's default card, for the invoice job to charge; null when it has none.</summary>
    public Task<string?> DefaultCardTokenAsync(Guid organizationId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();
}
