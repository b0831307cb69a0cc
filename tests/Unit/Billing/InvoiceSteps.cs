using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain.Billing.Invoices;
using Platform.Tests.Support;

namespace Platform.Tests.Billing;

/// <summary>An organization of its own for a billing test: its owner's client and its id.</summary>
public sealed record BilledOrganization(HttpClient Owner, Guid Id);

/// <summary>Steps billing tests share: an organization, a card, a closed month.</summary>
public static class InvoiceSteps
{
    public const string Visa = "4242 4242 4242 4242";

    /// <summary>The built-in gateway's card that is declined when added.</summary>
    public const string Declined = "4000 0000 0000 0002";

    public static async Task<BilledOrganization> NewOrganizationAsync(this InvoicePortal billing)
    {
        var (owner, _) = await billing.Portal.CreateUserClientAsync();
        return new BilledOrganization(owner, await owner.CreateOrganizationAsync($"billed {Guid.NewGuid():N}"));
    }

    public static Task<HttpResponseMessage> PostCardAsync(this HttpClient client, Guid organizationId, string number, string cvv = "123", int? month = 12, int? year = null) =>
        client.PostAsJsonAsync($"/api/organization/{organizationId}/creditCard", new
        {
            number,
            cvv,
            expiry_month = month,
            expiry_year = year ?? DateTime.UtcNow.Year + 5,
        });

    public static async Task<JsonObject> AddCardAsync(this BilledOrganization organization, string number, string cvv = "123") =>
        await (await organization.Owner.PostCardAsync(organization.Id, number, cvv)).ReadJsonAsync(HttpStatusCode.Created, "POST creditCard");

    /// <summary>The month <paramref name="monthsAgo"/> before the test clock's, as the month close takes it.</summary>
    public static DateOnly MonthsAgo(this InvoicePortal billing, int monthsAgo) => MonthClose.MonthOf(billing.Clock.GetUtcNow()).AddMonths(-monthsAgo);

    public static async Task<T> WithAsync<T>(this InvoicePortal billing, Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = billing.Portal.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    public static Task<IReadOnlyList<Guid>> CloseAsync(this InvoicePortal billing, DateOnly month) =>
        billing.WithAsync(services => services.GetRequiredService<MonthClose>().CloseAsync(month));

    public static Task<int> CollectAsync(this InvoicePortal billing) =>
        billing.WithAsync(services => services.GetRequiredService<MonthClose>().CollectDueAsync());

    /// <summary>The organization's invoice of a month, as stored.</summary>
    public static async Task<Invoice> InvoiceAsync(this InvoicePortal billing, Guid organizationId, DateOnly month)
    {
        await using var db = await billing.Portal.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Platform.Domain.Common.PlatformDbContext>>()
            .CreateDbContextAsync();
        return Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AsNoTracking(db.Invoices).Single(i => i.OrganizationId == organizationId && i.Month == month);
    }

    /// <summary>
    /// A closed invoice put straight into the table, for tests whose portal's ledger bills nothing (the sweeps over
    /// every endpoint need an invoice id of each organization); answers its id.
    /// </summary>
    public static async Task<Guid> InsertInvoiceAsync(this PortalFactory portal, Guid organizationId)
    {
        await using var db = await portal.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Platform.Domain.Common.PlatformDbContext>>()
            .CreateDbContextAsync();
        var invoice = new Invoice
        {
            OrganizationId = organizationId,
            Month = new DateOnly(2020, 1, 1),
            Number = $"T-{Guid.NewGuid():N}"[..20],
            IssuedOn = new DateOnly(2020, 2, 1),
            Currency = "EUR",
            Lines = [],
            Status = InvoiceStatus.Paid,
            PostedAt = DateTimeOffset.UtcNow,
        };
        db.Invoices.Add(invoice);
        await db.SaveChangesAsync();
        return invoice.Id;
    }

    /// <summary>Whether the digits stand on their own in the text (not inside an id or a longer number).</summary>
    public static bool ContainsStandalone(string text, string digits)
    {
        for (var at = text.IndexOf(digits, StringComparison.Ordinal); at >= 0; at = text.IndexOf(digits, at + 1, StringComparison.Ordinal))
        {
            var before = at == 0 || !char.IsAsciiLetterOrDigit(text[at - 1]);
            var after = at + digits.Length == text.Length || !char.IsAsciiLetterOrDigit(text[at + digits.Length]);
            if (before && after)
            {
                return true;
            }
        }

        return false;
    }
}
