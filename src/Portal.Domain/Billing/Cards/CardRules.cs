namespace Platform.Domain.Billing.Cards;

/// <summary>
/// What a typed card must look like before it goes to the gateway. Messages never repeat what was typed: a card
/// number in an answer, a log line or an exception is a leak.
/// </summary>
public static class CardRules
{
    /// <summary>The digits of a number typed with spaces or dashes, or null when anything else is in it.</summary>
    public static string? Digits(string? number)
    {
        if (string.IsNullOrWhiteSpace(number))
        {
            return null;
        }

        var digits = number.Where(c => c is not (' ' or '-')).ToArray();
        return digits.Length is >= 12 and <= 19 && digits.All(char.IsAsciiDigit) ? new string(digits) : null;
    }

    /// <summary>The Luhn check digit test (ISO/IEC 7812-1).</summary>
    public static bool PassesLuhn(string digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var digit = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 1)
            {
                digit *= 2;
                if (digit > 9)
                {
                    digit -= 9;
                }
            }

            sum += digit;
        }

        return sum % 10 == 0;
    }

    /// <summary>The longest holder's name taken, as card processors take it.</summary>
    public const int MaxHolderLength = 100;

    /// <summary>The problems with a typed card, keyed by the request's field names; empty when it may go to the gateway.</summary>
    public static Dictionary<string, string[]> Check(string? number, string? cvv, int? expiryMonth, int? expiryYear, DateTimeOffset now, string? holder = null)
    {
        var errors = new Dictionary<string, string[]>();
        var digits = Digits(number);
        if (digits is null || !PassesLuhn(digits))
        {
            errors["number"] = ["The card number is not valid."];
        }

        if (cvv is null || cvv.Length is not (3 or 4) || !cvv.All(char.IsAsciiDigit))
        {
            errors["cvv"] = ["The CVV is 3 or 4 digits."];
        }

        if (expiryMonth is not (>= 1 and <= 12))
        {
            errors["expiry_month"] = ["The expiry month is 1 to 12."];
        }

        if (expiryYear is not (>= 2000 and <= 2100))
        {
            errors["expiry_year"] = ["The expiry year has four digits."];
        }
        else if (expiryMonth is >= 1 and <= 12 && CreditCard.IsExpired(expiryMonth.Value, expiryYear.Value, now))
        {
            errors["expiry_year"] = ["The card has expired."];
        }

        if (holder is not null && (holder.Trim().Length > MaxHolderLength || holder.Any(char.IsControl)))
        {
            errors["holder"] = [$"The name on the card is at most {MaxHolderLength} characters, on one line."];
        }

        return errors;
    }

    /// <summary>The brand a number's prefix names (IIN ranges), as processors report it.</summary>
    public static string BrandOf(string digits) => digits switch
    {
        ['4', ..] => "visa",
        ['3', '4' or '7', ..] => "amex",
        ['5', >= '1' and <= '5', ..] => "mastercard",
        ['2', ..] when int.Parse(digits[..4], System.Globalization.CultureInfo.InvariantCulture) is >= 2221 and <= 2720 => "mastercard",
        ['6', '0', '1', '1', ..] or ['6', '5', ..] => "discover",
        _ => "unknown",
    };
}
