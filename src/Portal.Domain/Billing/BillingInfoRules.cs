using System.Collections.Frozen;
using System.Text.RegularExpressions;
using Platform.Domain.Common;

namespace Platform.Domain.Billing;

/// <summary>
/// What billing info must be: a valid email, an ISO 3166-1 alpha-2 country, and a VAT number (optional) in the format of
/// its country. The VAT formats are the one table of them (the EU's VIES formats, by member state, and a few neighbours'),
/// checked on the number without spaces, dots or dashes, with or without its country prefix.
/// </summary>
public static partial class BillingInfoRules
{
    public const int MaxLength = 200;

    /// <summary>ISO 3166-1 alpha-2, every officially assigned code.</summary>
    public static readonly FrozenSet<string> Countries = (
        "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
        "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
        "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO " +
        "JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR " +
        "MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO " +
        "RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV " +
        "TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW").Split(' ').ToFrozenSet(StringComparer.Ordinal);

    /// <summary>A VAT number's format per country: its prefix (Greece's is EL) and the pattern of what follows it.</summary>
    private static readonly FrozenDictionary<string, (string Prefix, Regex Pattern)> VatFormats = new Dictionary<string, (string, string)>
    {
        ["AT"] = ("AT", @"U\d{8}"),
        ["BE"] = ("BE", @"[01]\d{9}"),
        ["BG"] = ("BG", @"\d{9,10}"),
        ["CY"] = ("CY", @"\d{8}[A-Z]"),
        ["CZ"] = ("CZ", @"\d{8,10}"),
        ["DE"] = ("DE", @"\d{9}"),
        ["DK"] = ("DK", @"\d{8}"),
        ["EE"] = ("EE", @"\d{9}"),
        ["GR"] = ("EL", @"\d{9}"),
        ["ES"] = ("ES", @"[A-Z0-9]\d{7}[A-Z0-9]"),
        ["FI"] = ("FI", @"\d{8}"),
        ["FR"] = ("FR", @"[A-HJ-NP-Z0-9]{2}\d{9}"),
        ["HR"] = ("HR", @"\d{11}"),
        ["HU"] = ("HU", @"\d{8}"),
        ["IE"] = ("IE", @"\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W]"),
        ["IT"] = ("IT", @"\d{11}"),
        ["LT"] = ("LT", @"\d{9}|\d{12}"),
        ["LU"] = ("LU", @"\d{8}"),
        ["LV"] = ("LV", @"\d{11}"),
        ["MT"] = ("MT", @"\d{8}"),
        ["NL"] = ("NL", @"\d{9}B\d{2}"),
        ["PL"] = ("PL", @"\d{10}"),
        ["PT"] = ("PT", @"\d{9}"),
        ["RO"] = ("RO", @"\d{2,10}"),
        ["SE"] = ("SE", @"\d{10}01"),
        ["SI"] = ("SI", @"\d{8}"),
        ["SK"] = ("SK", @"\d{10}"),
        ["GB"] = ("GB", @"\d{9}|\d{12}|GD[0-4]\d{2}|HA[5-9]\d{2}"),
        ["CH"] = ("CHE", @"\d{9}(MWST|TVA|IVA)?"),
        ["NO"] = ("NO", @"\d{9}(MVA)?"),
    }.ToFrozenDictionary(f => f.Key, f => (f.Value.Item1, new Regex($"^(?:{f.Value.Item2})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))));

    /// <summary>The member states of the EU, for the reverse-charge rule.</summary>
    public static readonly FrozenSet<string> EuropeanUnion =
        "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".Split(' ').ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Checks the info as given and answers it cleaned (trimmed, country upper case, VAT number normalised), or the errors per field.</summary>
    public static Result<BillingInfo> Check(BillingInfo? input)
    {
        if (input is null)
        {
            return DomainError.Validation("email", "Billing info is required.");
        }

        var errors = new Dictionary<string, string[]>();
        foreach (var (field, value) in new[]
        {
            ("first_name", input.FirstName), ("last_name", input.LastName), ("address", input.Address), ("city", input.City),
            ("zip", input.Zip), ("state", input.State), ("company", input.Company),
        })
        {
            Validation.LimitText(errors, field, value, Label(field), MaxLength);
            if (value is not null && !errors.ContainsKey(field) && HasControl(value.Trim()))
            {
                // PostgreSQL refuses a NUL (a 500), and line breaks or direction overrides would reach invoices, PDFs and mail.
                errors[field] = [$"{Label(field)} cannot hold line breaks or other control characters."];
            }
        }

        var email = Validation.Clean(input.Email);
        if (email is null || !Validation.IsEmail(email))
        {
            errors["email"] = ["Enter a valid email address, such as billing@example.com."];
        }

        var country = Validation.Clean(input.CountryCode)?.ToUpperInvariant();
        if (country is null || !Countries.Contains(country))
        {
            errors["country_code"] = ["Enter the country as its ISO 3166-1 alpha-2 code, such as FR or DE."];
        }

        var vat = NormalizeVat(input.VatNumber);
        if (vat is not null && country is not null && Countries.Contains(country) && VatError(country, vat) is { } vatError)
        {
            errors["vat_number"] = [vatError];
        }

        if (errors.Count > 0)
        {
            return DomainError.Validation(errors);
        }

        return new BillingInfo(
            Validation.Clean(input.FirstName), Validation.Clean(input.LastName), email!, Validation.Clean(input.Address), Validation.Clean(input.City),
            Validation.Clean(input.Zip), Validation.Clean(input.State), country!, Validation.Clean(input.Company),
            vat is null ? null : WithPrefix(country!, vat));
    }

    /// <summary>Whether the number is a well-formed VAT number of the country (as stored: normalised, with its prefix).</summary>
    public static bool IsValidVat(string countryCode, string? vatNumber) =>
        NormalizeVat(vatNumber) is { } vat && VatError(countryCode, vat) is null;

    private static string? VatError(string country, string vat)
    {
        if (!VatFormats.TryGetValue(country, out var format))
        {
            return OtherVat().IsMatch(vat) ? null : "A VAT number is 4 to 20 letters and digits.";
        }

        var number = vat.StartsWith(format.Prefix, StringComparison.Ordinal) ? vat[format.Prefix.Length..] : vat;
        return format.Pattern.IsMatch(number)
            ? null
            : $"This is not a VAT number of {country}: it is written {format.Prefix} followed by {Describe(country)}.";
    }

    /// <summary>C0 and C1 controls (NUL, CR, LF, ESC, …), line and paragraph separators, and bidirectional overrides.</summary>
    private static bool HasControl(string value) =>
        value.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'));

    private static string WithPrefix(string country, string vat) =>
        VatFormats.TryGetValue(country, out var format) && !vat.StartsWith(format.Prefix, StringComparison.Ordinal) ? format.Prefix + vat : vat;

    private static string? NormalizeVat(string? vat) =>
        Validation.Clean(vat) is { } text ? Separators().Replace(text, "").ToUpperInvariant() : null;

    private static string Describe(string country) => country switch
    {
        "FR" => "2 letters or digits and 9 digits (FR40303265045)",
        "DE" => "9 digits (DE129273398)",
        "AT" => "U and 8 digits",
        "NL" => "9 digits, B and 2 digits",
        _ => "the digits of its national format",
    };

    private static string Label(string field) => field switch
    {
        "first_name" => "The first name",
        "last_name" => "The last name",
        "zip" => "The postal code",
        _ => $"The {field}",
    };

    [GeneratedRegex(@"[\s.\-]")]
    private static partial Regex Separators();

    [GeneratedRegex("^[A-Z0-9]{4,20}$")]
    private static partial Regex OtherVat();
}
