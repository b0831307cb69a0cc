using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using MailKit.Net.Smtp;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Platform.Domain.Billing.Invoices;
using Platform.Portal.Billing;
using Platform.Tests.Support;
using UglyToad.PdfPig;

namespace Platform.Tests.Billing.Invoices;

/// <summary>Getting invoices out: the signed PDF link, the emailed ZIP, and who may ask for either.</summary>
public sealed class InvoiceDeliveryTests(InvoicePortal billing) : IClassFixture<InvoicePortal>
{
    private async Task<(BilledOrganization Organization, Invoice Invoice)> ClosedInvoiceAsync(int monthsAgo, long cents = 12_345)
    {
        var organization = await billing.NewOrganizationAsync();
        billing.Ledger.Set(organization.Id, [("shop", "production", cents), ("shop", "staging", 655)], creditCents: 1_000, vatPercent: 21);
        var month = billing.MonthsAgo(monthsAgo);
        await billing.CloseAsync(month);
        return (organization, await billing.InvoiceAsync(organization.Id, month));
    }

    private static string TextOf(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return string.Join(" ", document.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
    }

    private static async Task<Uri> LinkAsync(HttpClient owner, Guid invoiceId) =>
        new((await owner.GetObjectAsync($"/api/invoice/{invoiceId}/download")).Text("url")!);

    [Fact]
    public async Task SignedLink_ServesThePdfWithoutASession_WithTheInvoicesFigures()
    {
        var (organization, invoice) = await ClosedInvoiceAsync(1);
        var link = await LinkAsync(organization.Owner, invoice.Id);

        var response = await billing.Portal.CreateAnonymousClient().GetAsync(link.PathAndQuery);
        var text = TextOf(await response.Content.ReadAsByteArrayAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"Invoice {invoice.Number}", text, StringComparison.Ordinal);
        // 123.45 + 6.55 = 130.00, less 10.00 of credit = 120.00, VAT 21 % = 25.20, total 145.20.
        Assert.Contains("Subtotal 130.00 EUR", text, StringComparison.Ordinal);
        Assert.Contains("Credit -10.00 EUR", text, StringComparison.Ordinal);
        Assert.Contains("VAT 21 % 25.20 EUR", text, StringComparison.Ordinal);
        Assert.Contains("Total 145.20 EUR", text, StringComparison.Ordinal);
        Assert.Contains("shop production 123.45 EUR", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignedLink_Expires_After15Minutes()
    {
        var (organization, invoice) = await ClosedInvoiceAsync(2);
        var link = await LinkAsync(organization.Owner, invoice.Id);
        var anonymous = billing.Portal.CreateAnonymousClient();

        billing.Clock.Advance(TimeSpan.FromMinutes(14));
        var before = await anonymous.GetAsync(link.PathAndQuery);
        billing.Clock.Advance(TimeSpan.FromMinutes(1));
        var after = await anonymous.GetAsync(link.PathAndQuery);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, after.StatusCode);
    }

    [Fact]
    public async Task SignedLink_Tampered_OrForAnotherInvoice_Answers403()
    {
        var (organization, invoice) = await ClosedInvoiceAsync(3);
        var (_, other) = await ClosedInvoiceAsync(3);
        var link = (await LinkAsync(organization.Owner, invoice.Id)).PathAndQuery;
        var anonymous = billing.Portal.CreateAnonymousClient();
        var flipped = link[^1] == 'A' ? 'B' : 'A';

        var tampered = await anonymous.GetAsync(link[..^1] + flipped);
        var elsewhere = await anonymous.GetAsync(link.Replace(invoice.Id.ToString(), other.Id.ToString(), StringComparison.Ordinal));
        var bare = await anonymous.GetAsync(InvoiceLinks.PathOf(invoice.Id));

        Assert.Equal([HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden], [tampered.StatusCode, elsewhere.StatusCode, bare.StatusCode]);
    }

    [Fact]
    public async Task ExportRetriedAfterTheServerRefusedTheFirstSend_DeliversOneEmail_WhoseZipHoldsEveryPdf()
    {
        var (organization, first) = await ClosedInvoiceAsync(4);
        var email = $"accounts.{Guid.NewGuid():N}@example.com";
        billing.Ledger.Bill(organization.Id, new BillingParty("Acme GmbH", email, "Hauptstr. 1", "Berlin", "10115", "DE", "DE123456789"));
        billing.Ledger.Set(organization.Id, [("shop", "production", 50_000)], vatPercent: 10);
        await billing.CloseAsync(billing.MonthsAgo(5));
        var second = await billing.InvoiceAsync(organization.Id, billing.MonthsAgo(5));

        var response = await organization.Owner.PostAsync($"/api/organization/{organization.Id}/downloadInvoices", null);
        var exportId = billing.Exports.Queued[^1];
        billing.Smtp.RefuseNext(1, email);
        await billing.WithAsync<bool>(async services =>
        {
            var job = services.GetRequiredService<InvoiceExportJob>();
            await Assert.ThrowsAsync<SmtpCommandException>(() => job.ExecuteAsync(exportId, CancellationToken.None));
            Assert.Equal(ExportState.Requested, await services.GetRequiredService<InvoiceExports>().StateAsync(exportId));
            await job.ExecuteAsync(exportId, CancellationToken.None);
            await job.ExecuteAsync(exportId, CancellationToken.None);
            return true;
        });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var message = Assert.Single(billing.Smtp.To(email));
        var attachment = Assert.Single(message.Attachments.OfType<MimePart>());
        using var content = new MemoryStream();
        await attachment.Content!.DecodeToAsync(content);
        using var zip = new ZipArchive(new MemoryStream(content.ToArray()));
        var totals = new Dictionary<string, string>();
        foreach (var entry in zip.Entries)
        {
            using var pdf = new MemoryStream();
            await using (var stream = entry.Open())
            {
                await stream.CopyToAsync(pdf);
            }

            totals[entry.Name] = TextOf(pdf.ToArray());
        }

        Assert.Equal([$"invoice-{first.Number}.pdf", $"invoice-{second.Number}.pdf"], totals.Keys.Order());
        Assert.Contains("Total 145.20 EUR", totals[$"invoice-{first.Number}.pdf"], StringComparison.Ordinal);
        Assert.Contains("Total 550.00 EUR", totals[$"invoice-{second.Number}.pdf"], StringComparison.Ordinal);
        // Billing info is kept as it was at each close: the first invoice was closed before there was any.
        Assert.Contains("Acme GmbH", totals[$"invoice-{second.Number}.pdf"], StringComparison.Ordinal);
        Assert.Contains("VAT DE123456789", totals[$"invoice-{second.Number}.pdf"], StringComparison.Ordinal);
        Assert.DoesNotContain("Acme GmbH", totals[$"invoice-{first.Number}.pdf"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportRetriedAfterTheJobDiedBetweenRecordAndSend_SendsTheSameMessageOnce()
    {
        var (organization, invoice) = await ClosedInvoiceAsync(9);
        var email = $"books.{Guid.NewGuid():N}@example.com";
        billing.Ledger.Bill(organization.Id, new BillingParty("Books Ltd", email, "1 High St", "Leeds", "LS1 1AA", "GB", null));
        (await organization.Owner.PostAsync($"/api/organization/{organization.Id}/downloadInvoices", null)).EnsureSuccessStatusCode();
        var exportId = billing.Exports.Queued[^1];

        billing.Transport.BreakNext(1, email);
        var states = await billing.WithAsync(async services =>
        {
            var job = services.GetRequiredService<InvoiceExportJob>();
            var exports = services.GetRequiredService<InvoiceExports>();
            await Assert.ThrowsAsync<IOException>(() => job.ExecuteAsync(exportId, CancellationToken.None));
            var afterDeath = await exports.StateAsync(exportId);
            await job.ExecuteAsync(exportId, CancellationToken.None);
            await job.ExecuteAsync(exportId, CancellationToken.None);
            return (afterDeath, await exports.StateAsync(exportId));
        });

        Assert.Equal((ExportState.Sending, ExportState.Sent), states);
        var message = Assert.Single(billing.Smtp.To(email));
        Assert.Equal($"invoices.{exportId:N}@platform.invalid", message.MessageId);
        Assert.Equal(["invoices.zip"], message.Attachments.OfType<MimePart>().Select(a => a.FileName));
        Assert.NotNull(invoice.Number);
    }

    [Fact]
    public async Task Export_RequestedAgainWhileOneIsUnderWay_OrJustSent_MailsNothingMore()
    {
        var (organization, _) = await ClosedInvoiceAsync(7);
        var email = $"again.{Guid.NewGuid():N}@example.com";
        billing.Ledger.Bill(organization.Id, new BillingParty("Again SAS", email, "1 rue de la Paix", "Paris", "75002", "FR", null));
        var before = billing.Exports.Queued.Count;

        (await organization.Owner.PostAsync($"/api/organization/{organization.Id}/downloadInvoices", null)).EnsureSuccessStatusCode();
        var exportId = billing.Exports.Queued[^1];
        var whileQueued = await organization.Owner.PostAsync($"/api/organization/{organization.Id}/downloadInvoices", null);
        await billing.WithAsync<bool>(async services =>
        {
            await services.GetRequiredService<InvoiceExportJob>().ExecuteAsync(exportId, CancellationToken.None);
            return true;
        });
        var justSent = await organization.Owner.PostAsync($"/api/organization/{organization.Id}/downloadInvoices", null);

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (whileQueued.StatusCode, justSent.StatusCode));
        Assert.Equal(before + 1, billing.Exports.Queued.Count);
        Assert.Single(billing.Smtp.To(email));
    }

    [Fact]
    public async Task Export_WithoutABillingEmail_Answers409()
    {
        var (organization, _) = await ClosedInvoiceAsync(6);

        var response = await organization.Owner.PostAsync($"/api/organization/{organization.Id}/downloadInvoices", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Theory]
    [InlineData("DEVELOPER member")]
    [InlineData("VIEWER member")]
    [InlineData("DEVELOPER token")]
    public async Task BillingPaths_AnswerForbidden_ToRolesBelowAdmin(string caller)
    {
        var (organization, invoice) = await ClosedInvoiceAsync(7);
        var card = await organization.AddCardAsync(InvoiceSteps.Visa);
        var team = await RoleTeam.CreateAsync(billing.Portal, organization.Owner, organization.Id, caller.Split(' ')[0]);

        var answers = await AllPathsAsync(team.Caller(caller), organization.Id, invoice.Id, card.Id());

        Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.Forbidden, $"{a.Path} answered {(int)a.Status}"));
    }

    [Fact]
    public async Task BillingPaths_AnswerNotFound_ToAnotherOrganizationsOwner()
    {
        var (organization, invoice) = await ClosedInvoiceAsync(8);
        var card = await organization.AddCardAsync(InvoiceSteps.Visa);
        var stranger = await billing.NewOrganizationAsync();

        var answers = await AllPathsAsync(stranger.Owner, organization.Id, invoice.Id, card.Id());

        Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.NotFound, $"{a.Path} answered {(int)a.Status}"));
    }

    private static async Task<List<(string Path, HttpStatusCode Status)>> AllPathsAsync(HttpClient client, Guid organizationId, Guid invoiceId, Guid cardId)
    {
        var requests = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Get, $"/api/organization/{organizationId}/creditCard", null),
            (HttpMethod.Post, $"/api/organization/{organizationId}/creditCard", new { number = InvoiceSteps.Visa, cvv = "123", expiry_month = 12, expiry_year = DateTime.UtcNow.Year + 2 }),
            (HttpMethod.Delete, $"/api/creditCard/{cardId}", null),
            (HttpMethod.Get, $"/api/organization/{organizationId}/invoice", null),
            (HttpMethod.Get, $"/api/invoice/{invoiceId}/download", null),
            (HttpMethod.Post, $"/api/invoice/{invoiceId}/void", null),
            (HttpMethod.Post, $"/api/organization/{organizationId}/downloadInvoices", null),
        };
        var answers = new List<(string, HttpStatusCode)>();
        foreach (var (method, path, body) in requests)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            answers.Add(($"{method} {path}", (await client.SendAsync(request)).StatusCode));
        }

        return answers;
    }
}
