namespace Platform.Domain.Billing.Payments;

/// <summary>A card as the user typed it: handed to the gateway and dropped, never stored, logged or printed.</summary>
public sealed record CardDetails(string Number, int ExpiryMonth, int ExpiryYear, string Cvv, string? HolderName)
{
    public override string ToString() => $"{nameof(CardDetails)} {{ *** }}";
}

/// <summary>What the gateway gives back for a card: its token to charge it by, and what may be shown of it.</summary>
public sealed record TokenizedCard(string Token, string Brand, string LastFour, int ExpiryMonth, int ExpiryYear);

public enum ChargeOutcome
{
    Succeeded,
    Declined,
    InsufficientFunds,

    /// <summary>The gateway could not be reached or failed: worth another attempt.</summary>
    Failed,
}

/// <summary>The answer to a charge; the message is the gateway's reason, fit to show (it names no card number).</summary>
public sealed record ChargeResult(ChargeOutcome Outcome, string? ChargeId, string? Message);

/// <summary>A card the gateway refused to take (declined at tokenization, invalid): the message is for people.</summary>
public sealed class CardRejectedException(string message) : Exception(message);

/// <summary>
/// The payment processor (PRODUCT.md section 9): the built-in one behaving like a processor's test mode, or Stripe
/// when a key is set. A charge carries an idempotency key, so a retried job never charges twice.
/// </summary>
public interface IPaymentGateway
{
    Task<TokenizedCard> TokenizeAsync(CardDetails card, CancellationToken cancellationToken);

    Task<ChargeResult> ChargeAsync(string cardToken, long amountCents, string currency, string idempotencyKey, CancellationToken cancellationToken);
}
