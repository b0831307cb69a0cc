using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Billing.Payments;
using Platform.Portal.Billing;

namespace Platform.Tests.Billing.Cards;

/// <summary>The Stripe gateway, chosen by Billing:StripeSecretKey, against a loopback server answering Stripe's documented JSON.</summary>
public sealed class StripePaymentGatewayTests : IAsyncLifetime
{
    private StripeStub Stripe { get; } = new();
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        await Stripe.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Billing:StripeSecretKey"] = "sk_test_loopback",
            ["Billing:StripeApiBase"] = Stripe.Address.ToString(),
        }).Build();
        _services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddInvoicesAndCards().BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await Stripe.DisposeAsync();
    }

    private IPaymentGateway Gateway => _services.GetRequiredService<IPaymentGateway>();

    private Task<TokenizedCard> TokenizeAsync(string number) =>
        Gateway.TokenizeAsync(new CardDetails(number, 12, DateTime.UtcNow.Year + 3, "123", null), CancellationToken.None);

    [Fact]
    public async Task StripeKeySet_AddsTheCardAsACustomersPaymentMethod_AndChargesItWithTheIdempotencyKey()
    {
        Assert.IsType<StripePaymentGateway>(Gateway);

        var card = await TokenizeAsync("4242424242424242");
        var charge = await Gateway.ChargeAsync(card.Token, 1234, "EUR", "invoice-1-attempt-1", CancellationToken.None);

        Assert.Equal(("visa", "4242", 12), (card.Brand, card.LastFour, card.ExpiryMonth));
        Assert.StartsWith("cus_", card.Token, StringComparison.Ordinal);
        Assert.Equal(ChargeOutcome.Succeeded, charge.Outcome);
        Assert.StartsWith("pi_", charge.ChargeId, StringComparison.Ordinal);
        Assert.Contains(Stripe.Requests, r => r.Path == "/v1/payment_intents" && r.IdempotencyKey == "invoice-1-attempt-1");
        Assert.All(Stripe.Requests, r => Assert.Equal("Bearer sk_test_loopback", r.Authorization));
    }

    [Fact]
    public async Task DeclinedCard_IsRefusedWhenAdded_WithStripesMessage()
    {
        var rejected = await Assert.ThrowsAsync<CardRejectedException>(() => TokenizeAsync("4000000000000002"));

        Assert.Equal("Your card was declined.", rejected.Message);
    }

    [Fact]
    public async Task InsufficientFunds_AnswersADeclinedCharge_NotAnException()
    {
        var card = await TokenizeAsync("4000000000009995");

        var charge = await Gateway.ChargeAsync(card.Token, 500, "EUR", "invoice-2-attempt-1", CancellationToken.None);

        Assert.Equal(ChargeOutcome.InsufficientFunds, charge.Outcome);
        Assert.Equal("Your card has insufficient funds.", charge.Message);
    }
}
