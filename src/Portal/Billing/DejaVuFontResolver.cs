using PdfSharp.Fonts;

namespace Platform.Portal.Billing;

/// <summary>
/// PDFsharp finds no system fonts on Linux: invoices are set in DejaVu Sans from Debian's fonts-dejavu-core
/// (docs TOOLCHAIN.md), whatever family a document asks for. The resolver is process-wide, so it is set once.
/// </summary>
public sealed class DejaVuFontResolver : IFontResolver
{
    public const string Family = "DejaVu Sans";
    private const string Folder = "/usr/share/fonts/truetype/dejavu";
    private static readonly Lock Gate = new();

    public static void Install()
    {
        lock (Gate)
        {
            if (GlobalFontSettings.FontResolver is not DejaVuFontResolver)
            {
                GlobalFontSettings.FontResolver = new DejaVuFontResolver();
            }
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) => (bold, italic) switch
    {
        (true, true) => new FontResolverInfo("DejaVuSans-BoldOblique"),
        (true, false) => new FontResolverInfo("DejaVuSans-Bold"),
        (false, true) => new FontResolverInfo("DejaVuSans-Oblique"),
        _ => new FontResolverInfo("DejaVuSans"),
    };

    public byte[]? GetFont(string faceName)
    {
        var file = Path.Combine(Folder, faceName + ".ttf");
        return File.Exists(file) ? File.ReadAllBytes(file) : File.ReadAllBytes(Path.Combine(Folder, "DejaVuSans.ttf"));
    }
}
