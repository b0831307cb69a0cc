using Platform.Domain.Billing.Payments;
using Platform.Portal.Billing;

namespace Platform.Tests.Billing.Cards;

/// <summary>The built-in gateway is a processor's test mode with Stripe's test numbers.</summary>
public sealed class BuiltInPaymentGatewayTests
{
    private readonly BuiltInPaymentGateway _gateway = new();

    private Task<TokenizedCard> TokenizeAsync(string number) =>
        _gateway.TokenizeAsync(new CardDetails(number, 12, DateTime.UtcNow.Year + 3, "123", null), CancellationToken.None);

    [Fact]
    public async Task Visa4242_IsTakenAndCharged_AndItsTokenHoldsNoNumber()
    {
        var card = await TokenizeAsync("4242424242424242");
        var charge = await _gateway.ChargeAsync(card.Token, 1234, "EUR", "key-1", CancellationToken.None);

        Assert.Equal(("visa", "4242"), (card.Brand, card.LastFour));
        Assert.DoesNotContain("4242424242424242", card.Token, StringComparison.Ordinal);
        Assert.Equal(ChargeOutcome.Succeeded, charge.Outcome);
        Assert.NotNull(charge.ChargeId);
    }

    [Fact]
    public async Task Card0002_IsDeclinedWhenAdded_AsStripeDeclinesItAtAttach()
    {
        var rejected = await Assert.ThrowsAsync<CardRejectedException>(() => TokenizeAsync(BuiltInPaymentGateway.Declined));

        Assert.DoesNotContain("0002", rejected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Card9995_IsTaken_ButItsChargesFailForInsufficientFunds()
    {
        var card = await TokenizeAsync(BuiltInPaymentGateway.InsufficientFunds);

        Assert.Equal(ChargeOutcome.InsufficientFunds, (await _gateway.ChargeAsync(card.Token, 100, "EUR", "key-2", CancellationToken.None)).Outcome);
    }

    [Fact]
    public async Task Charge_WithTheSameIdempotencyKey_AnswersTheFirstCharge()
    {
        var card = await TokenizeAsync("4242424242424242");

        var first = await _gateway.ChargeAsync(card.Token, 100, "EUR", "key-3", CancellationToken.None);
        var again = await _gateway.ChargeAsync(card.Token, 100, "EUR", "key-3", CancellationToken.None);

        Assert.Equal(first.ChargeId, again.ChargeId);
    }
}
