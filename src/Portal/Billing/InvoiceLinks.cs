using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Platform.Portal.Billing;

/// <summary>
/// Signed links to an invoice's PDF that open without a session for 15 minutes. The token is the invoice id and the
/// expiry, protected with the portal's key ring (Data Protection authenticates what it protects with HMAC-SHA256),
/// so it cannot be made or altered without the key ring; the expiry is checked against the portal's clock.
/// </summary>
public sealed class InvoiceLinks(IDataProtectionProvider protection, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    private readonly IDataProtector _protector = protection.CreateProtector("Platform.Billing.InvoiceLink.v1");

    public static string PathOf(Guid invoiceId) => $"api/invoice/{invoiceId}/pdf";

    public Uri Create(Uri portal, Guid invoiceId)
    {
        var expires = clock.GetUtcNow().Add(Lifetime).ToUnixTimeSeconds();
        var token = _protector.Protect($"{invoiceId:N}.{expires.ToString(CultureInfo.InvariantCulture)}");
        return new Uri(portal, $"{PathOf(invoiceId)}?token={Uri.EscapeDataString(token)}");
    }

    /// <summary>Whether a link's token was made for this invoice and has not expired.</summary>
    public bool Allows(Guid invoiceId, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return false;
        }

        string payload;
        try
        {
            payload = _protector.Unprotect(token);
        }
        catch (CryptographicException)
        {
            return false;
        }

        return payload.Split('.') is [var id, var expires]
            && id == invoiceId.ToString("N")
            && long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            && clock.GetUtcNow().ToUnixTimeSeconds() < seconds;
    }
}
