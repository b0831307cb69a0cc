using System.Collections.Concurrent;
using System.Security.Cryptography;
using Platform.Domain.Billing.Cards;
using Platform.Domain.Billing.Payments;

namespace Platform.Portal.Billing;

/// <summary>
/// The embedded default gateway, behaving like a processor's test mode with Stripe's test numbers:
/// 4242 4242 4242 4242 is taken and charged; 4000 0000 0000 0002 is declined when it is added, as Stripe declines it
/// when it is attached to a customer; 4000 0000 0000 9995 is taken but its charges decline for insufficient funds;
/// 4000 0000 0000 0341 is taken but its charges are declined. Any other number that passes the checks is taken and
/// charged. No money moves. The token says how the card behaves, never its number; idempotency keys are kept in
/// memory, enough for a test mode.
/// </summary>
public sealed class BuiltInPaymentGateway : IPaymentGateway
{
    public const string Declined = "4000000000000002";
    public const string InsufficientFunds = "4000000000009995";
    public const string DeclinedAtCharge = "4000000000000341";

    private const string Prefix = "builtin_";
    private readonly ConcurrentDictionary<string, ChargeResult> _charges = new();

    public Task<TokenizedCard> TokenizeAsync(CardDetails card, CancellationToken cancellationToken)
    {
        var behaviour = card.Number switch
        {
            Declined => throw new CardRejectedException("Your card was declined."),
            InsufficientFunds => "funds",
            DeclinedAtCharge => "declined",
            _ => "ok",
        };
        var token = $"{Prefix}{behaviour}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))}";
        return Task.FromResult(new TokenizedCard(token, CardRules.BrandOf(card.Number), card.Number[^4..], card.ExpiryMonth, card.ExpiryYear));
    }

    public Task<ChargeResult> ChargeAsync(string cardToken, long amountCents, string currency, string idempotencyKey, CancellationToken cancellationToken) =>
        Task.FromResult(_charges.GetOrAdd(idempotencyKey, _ => cardToken.Split('_') switch
        {
            [_, "ok", _] => new ChargeResult(ChargeOutcome.Succeeded, $"ch_builtin_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))}", null),
            [_, "funds", _] => new ChargeResult(ChargeOutcome.InsufficientFunds, null, "Your card has insufficient funds."),
            _ => new ChargeResult(ChargeOutcome.Declined, null, "Your card was declined."),
        }));
}
