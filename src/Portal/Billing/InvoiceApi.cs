using Platform.Domain.Billing.Invoices;
using Platform.Portal.Infrastructure;

namespace Platform.Portal.Billing;

public static class InvoiceApi
{
    /// <summary>The draft's invoice; <c>id</c> and <c>number</c> are null for the open month (PENDING), which has neither yet.</summary>
    public sealed record InvoiceResponse(Guid? Id, string? Number, DateOnly Date, DateOnly Month, InvoiceStatus Status, long TotalInCents, decimal Total, string CurrencyCode);

    public sealed record LinkResponse(Uri Url);

    public static RouteGroupBuilder MapInvoiceApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("").WithTags("Billing");
        group.MapGet("/organization/{id:guid}/invoice", ListAsync).Describe("listOrganizationInvoices", "The organization's invoices, the open month first (OWNER and ADMIN)").NeedsRole();
        group.MapGet("/invoice/{id:guid}/download", DownloadAsync).Describe("getInvoiceDownloadLink", "A signed link to the invoice's PDF, valid for 15 minutes without a session").NeedsRole();
        group.MapPost("/invoice/{id:guid}/void", VoidAsync).Describe("voidInvoice", "Mark an unpaid invoice VOIDED, which stops its payment retries (OWNER)").MayConflict();
        group.MapPost("/organization/{id:guid}/downloadInvoices", ExportAsync)
            .Describe("downloadOrganizationInvoices", "Email one ZIP of every invoice's PDF to the billing email (202; sent once by a background job)").MayConflict();
        // The signed link itself: no session, the token is the permission. Not part of the documented API.
        group.MapGet("/invoice/{id:guid}/pdf", PdfAsync).AllowAnonymous().ExcludeFromDescription();
        return group;
    }

    private static async Task<Results<Ok<ListResponse<InvoiceResponse>>, ProblemHttpResult>> ListAsync(Guid id, ApiCaller caller, InvoiceService invoices) =>
        (await invoices.ListAsync(caller, id)).ToOk(list => new ListResponse<InvoiceResponse>(list.Select(ToResponse).ToList()));

    private static async Task<Results<Ok<LinkResponse>, ProblemHttpResult>> DownloadAsync(
        Guid id, ApiCaller caller, InvoiceService invoices, InvoiceLinks links, PortalLinks portal, HttpRequest http) =>
        (await invoices.CheckDownloadAsync(caller, id)).ToOk(invoiceId => new LinkResponse(links.Create(portal.For(http), invoiceId)));

    private static async Task<Results<Ok<InvoiceResponse>, ProblemHttpResult>> VoidAsync(Guid id, ApiCaller caller, InvoiceService invoices) =>
        (await invoices.VoidAsync(caller, id)).ToOk(ToResponse);

    private static async Task<Results<Accepted, ProblemHttpResult>> ExportAsync(Guid id, ApiCaller caller, InvoiceExports exports)
    {
        var requested = await exports.RequestAsync(caller, id);
        return requested.IsSuccess ? TypedResults.Accepted((string?)null) : requested.Error!.ToProblem();
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> PdfAsync(Guid id, string? token, InvoiceLinks links, InvoiceService invoices)
    {
        if (!links.Allows(id, token))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, detail: "This link is not valid or has expired: ask for a new one.");
        }

        return await invoices.RenderAsync(id) is { } pdf
            ? TypedResults.File(pdf.Pdf, "application/pdf", $"invoice-{pdf.Number}.pdf")
            : TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, detail: "This link is not valid or has expired: ask for a new one.");
    }

    private static InvoiceResponse ToResponse(InvoiceView i) => new(i.Id, i.Number, i.Date, i.Month, i.Status, i.TotalCents, i.TotalCents / 100m, i.Currency);
}
