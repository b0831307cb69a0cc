using Platform.Domain.Billing.Payments;
using Stripe;
using ChargeOutcome = Platform.Domain.Billing.Payments.ChargeOutcome;

namespace Platform.Portal.Billing;

/// <summary>
/// Stripe, chosen when Billing:StripeSecretKey is set. A card becomes a PaymentMethod attached to a Customer of its
/// own (Stripe checks the card at the attach, so a declined card is refused when it is added); a charge is a
/// PaymentIntent confirmed off-session with the attempt's idempotency key. The token kept is "customer payment-method".
/// Sending raw card numbers to Stripe's API needs that option enabled on the Stripe account; the API base is a
/// setting (Billing:StripeApiBase) so tests point it at a loopback server.
/// </summary>
public sealed class StripePaymentGateway(StripeClient client) : IPaymentGateway
{
    public async Task<TokenizedCard> TokenizeAsync(CardDetails card, CancellationToken cancellationToken)
    {
        try
        {
            var method = await new PaymentMethodService(client).CreateAsync(new PaymentMethodCreateOptions
            {
                Type = "card",
                Card = new PaymentMethodCardOptions { Number = card.Number, ExpMonth = card.ExpiryMonth, ExpYear = card.ExpiryYear, Cvc = card.Cvv },
            }, cancellationToken: cancellationToken);
            var customer = await new CustomerService(client).CreateAsync(new CustomerCreateOptions
            {
                PaymentMethod = method.Id,
                InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = method.Id },
            }, cancellationToken: cancellationToken);
            return new TokenizedCard($"{customer.Id} {method.Id}", method.Card.Brand, method.Card.Last4, (int)method.Card.ExpMonth, (int)method.Card.ExpYear);
        }
        catch (StripeException e) when (e.StripeError?.Type == "card_error")
        {
            throw new CardRejectedException(e.StripeError.Message ?? "Your card was declined.");
        }
        catch (StripeException)
        {
            // Stripe's other messages may name the request's objects: the user gets a plain sentence.
            throw new CardRejectedException("The payment processor could not take the card now; try again later.");
        }
    }

    public async Task<ChargeResult> ChargeAsync(string cardToken, long amountCents, string currency, string idempotencyKey, CancellationToken cancellationToken)
    {
        var (customer, method) = cardToken.Split(' ') is [var c, var m] ? (c, m) : throw new ArgumentException("Not a Stripe card token.", nameof(cardToken));
        try
        {
            var intent = await new PaymentIntentService(client).CreateAsync(new PaymentIntentCreateOptions
            {
                Amount = amountCents,
                Currency = currency.ToLowerInvariant(),
                Customer = customer,
                PaymentMethod = method,
                Confirm = true,
                OffSession = true,
            }, new RequestOptions { IdempotencyKey = idempotencyKey }, cancellationToken);
            return intent.Status == "succeeded"
                ? new ChargeResult(ChargeOutcome.Succeeded, intent.Id, null)
                : new ChargeResult(ChargeOutcome.Declined, intent.Id, $"The payment needs the cardholder ({intent.Status}).");
        }
        catch (StripeException e) when (e.StripeError?.Type == "card_error")
        {
            var outcome = e.StripeError.DeclineCode == "insufficient_funds" ? ChargeOutcome.InsufficientFunds : ChargeOutcome.Declined;
            return new ChargeResult(outcome, e.StripeError.PaymentIntent?.Id, e.StripeError.Message);
        }
        catch (StripeException)
        {
            return new ChargeResult(ChargeOutcome.Failed, null, "The payment processor failed; the charge will be tried again.");
        }
    }
}
