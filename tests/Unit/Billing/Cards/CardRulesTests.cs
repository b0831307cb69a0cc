using Platform.Domain.Billing.Cards;

namespace Platform.Tests.Billing.Cards;

public sealed class CardRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("4242 4242 4242 4242")]
    [InlineData("4000-0000-0000-0002")]
    [InlineData("378282246310005")]
    public void Check_AcceptsNumbersThatPassLuhn(string number) =>
        Assert.Empty(CardRules.Check(number, "123", 12, 2030, Now));

    [Theory]
    [InlineData("4242 4242 4242 4241")]
    [InlineData("4242")]
    [InlineData("4242 4242 4242 424x")]
    [InlineData("")]
    public void Check_RefusesABadNumber_NamingTheField_WithoutRepeatingIt(string number)
    {
        var errors = CardRules.Check(number, "123", 12, 2030, Now);

        var message = Assert.Single(Assert.Single(errors, e => e.Key == "number").Value);
        Assert.DoesNotContain("4242", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("12")]
    [InlineData("12345")]
    [InlineData("12a")]
    [InlineData(null)]
    public void Check_RefusesACvvThatIsNotThreeOrFourDigits(string? cvv) =>
        Assert.Contains("cvv", CardRules.Check("4242424242424242", cvv, 12, 2030, Now).Keys);

    [Fact]
    public void Check_TakesACardUntilTheEndOfItsExpiryMonth_ByTheClock()
    {
        Assert.Empty(CardRules.Check("4242424242424242", "1234", 12, 2026, Now));
        Assert.Contains("expiry_year", CardRules.Check("4242424242424242", "123", 11, 2026, Now).Keys);
        Assert.Contains("expiry_month", CardRules.Check("4242424242424242", "123", 13, 2030, Now).Keys);
    }

    [Theory]
    [InlineData("4242424242424242", "visa")]
    [InlineData("5555555555554444", "mastercard")]
    [InlineData("2223003122003222", "mastercard")]
    [InlineData("378282246310005", "amex")]
    [InlineData("6011111111111117", "discover")]
    public void BrandOf_NamesTheBrandOfTheNumbersPrefix(string number, string brand) =>
        Assert.Equal(brand, CardRules.BrandOf(number));
}
