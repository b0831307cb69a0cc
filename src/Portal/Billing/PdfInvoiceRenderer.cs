using System.Globalization;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using Platform.Domain.Billing.Invoices;

namespace Platform.Portal.Billing;

/// <summary>An invoice's PDF with PDFsharp: who is billed, a line per project and environment, then subtotal, credit, VAT and total.</summary>
public sealed class PdfInvoiceRenderer : IInvoiceRenderer
{
    private const double Margin = 50;
    private const double LineHeight = 16;
    private readonly XFont _title;
    private readonly XFont _body;
    private readonly XFont _bold;

    public PdfInvoiceRenderer()
    {
        // The resolver must be in place before the first font is made.
        DejaVuFontResolver.Install();
        _title = new XFont(DejaVuFontResolver.Family, 18, XFontStyleEx.Bold);
        _body = new XFont(DejaVuFontResolver.Family, 10, XFontStyleEx.Regular);
        _bold = new XFont(DejaVuFontResolver.Family, 10, XFontStyleEx.Bold);
    }

    public byte[] Render(InvoiceDocument invoice)
    {
        using var document = new PdfDocument();
        document.Info.Title = $"Invoice {invoice.Number}";
        var page = new Page(document);

        page.Write($"Invoice {invoice.Number}", _title, LineHeight * 2);
        page.Write($"Issued on {invoice.IssuedOn:yyyy-MM-dd}", _body);
        page.Write($"Period {invoice.PeriodStart:yyyy-MM-dd} to {invoice.PeriodEnd:yyyy-MM-dd}", _body, LineHeight * 2);

        var to = invoice.BilledTo;
        page.Write("Billed to", _bold);
        foreach (var line in new[] { to.Name, to.Address, $"{to.Zip} {to.City}".Trim(), to.CountryCode, to.VatNumber is null ? "" : $"VAT {to.VatNumber}", to.Email })
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                page.Write(line, _body);
            }
        }

        page.Skip();
        page.Columns("Project", "Environment", "Amount", _bold);
        foreach (var line in invoice.Lines)
        {
            page.Columns(line.Project, line.Environment, Money(line.AmountCents, invoice.Currency), _body);
        }

        page.Skip();
        page.Columns("", "Subtotal", Money(invoice.SubtotalCents, invoice.Currency), _body);
        page.Columns("", "Credit", Money(-invoice.CreditCents, invoice.Currency), _body);
        page.Columns("", $"VAT {invoice.VatRatePercent.ToString("0.##", CultureInfo.InvariantCulture)} %", Money(invoice.VatCents, invoice.Currency), _body);
        page.Columns("", "Total", Money(invoice.TotalCents, invoice.Currency), _bold);
        page.Close();

        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    /// <summary>Cents as the invoice prints them: <c>1234.56 EUR</c>.</summary>
    public static string Money(long cents, string currency) =>
        string.Create(CultureInfo.InvariantCulture, $"{cents / 100m:0.00} {currency}");

    /// <summary>A cursor down the pages: a new page when the current one is full.</summary>
    private sealed class Page(PdfDocument document)
    {
        private PdfPage _page = null!;
        private XGraphics? _graphics;
        private double _y;

        public void Write(string text, XFont font, double advance = LineHeight)
        {
            var graphics = Ensure();
            graphics.DrawString(text, font, XBrushes.Black, new XRect(Margin, _y, _page.Width.Point - 2 * Margin, advance), XStringFormats.TopLeft);
            _y += advance;
        }

        public void Columns(string first, string second, string amount, XFont font)
        {
            var graphics = Ensure();
            var width = _page.Width.Point - 2 * Margin;
            graphics.DrawString(first, font, XBrushes.Black, new XRect(Margin, _y, width * 0.45, LineHeight), XStringFormats.TopLeft);
            graphics.DrawString(second, font, XBrushes.Black, new XRect(Margin + width * 0.45, _y, width * 0.35, LineHeight), XStringFormats.TopLeft);
            graphics.DrawString(amount, font, XBrushes.Black, new XRect(Margin + width * 0.8, _y, width * 0.2, LineHeight), XStringFormats.TopRight);
            _y += LineHeight;
        }

        public void Skip() => _y += LineHeight;

        public void Close() => _graphics?.Dispose();

        private XGraphics Ensure()
        {
            if (_graphics is null || _y > _page.Height.Point - Margin - LineHeight)
            {
                _graphics?.Dispose();
                _page = document.AddPage();
                _graphics = XGraphics.FromPdfPage(_page);
                _y = Margin;
            }

            return _graphics;
        }
    }
}
