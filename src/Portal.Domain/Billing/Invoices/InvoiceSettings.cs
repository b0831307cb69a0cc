using System.Globalization;

namespace Platform.Domain.Billing.Invoices;

/// <summary>
/// When a failed payment is tried again (Billing:PaymentRetryHours, e.g. "24,72,168"): hours after the invoice was
/// posted. The first attempt is at the close; after the last retry fails the invoice is NOT_PAID.
/// </summary>
public sealed class InvoiceSettings(IReadOnlyList<TimeSpan> retries)
{
    public const string DefaultRetryHours = "24,72,168";

    public IReadOnlyList<TimeSpan> Retries { get; } = retries;

    /// <summary>The schedule a setting gives; a blank or unreadable one gives the default rather than no retries at all.</summary>
    public static InvoiceSettings Parse(string? retryHours)
    {
        var hours = (string.IsNullOrWhiteSpace(retryHours) ? DefaultRetryHours : retryHours)
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(h => double.TryParse(h, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : (double?)null)
            .ToList();
        if (hours.Count == 0 || hours.Any(h => h is null))
        {
            return Parse(DefaultRetryHours);
        }

        return new InvoiceSettings(hours.Select(h => TimeSpan.FromHours(h!.Value)).Order().ToList());
    }
}
