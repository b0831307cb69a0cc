using System.Globalization;
using Platform.Domain.Variables;

namespace Platform.Portal.Infrastructure.OpenApi;

/// <summary>
/// The bounds the document gives what no rule bounds: mostly answers, which the API writes itself. Each is the
/// largest the portal can produce, so a client may rely on them (see docs/decisions.md, issue 18 — openapi).
/// </summary>
public static class Bounds
{
    /// <summary>A GUID in its 8-4-4-4-12 form.</summary>
    public const int Uuid = 36;

    /// <summary>A UTC timestamp as the API writes it (<c>2026-01-31T12:00:00.000Z</c>), with room for offsets read in queries.</summary>
    public const int Timestamp = 32;

    /// <summary>Any other text: the longest text the portal stores is a variable's value.</summary>
    public const int Text = Variable.MaxValueLength;

    /// <summary>
    /// A list that is not paged (an organization's projects, an environment's applications, …): nothing caps them
    /// one by one, so the bound is a generous ceiling, above anything a plan allows.
    /// </summary>
    public const int Items = 10_000;

    /// <summary>Keys in a map (settings, validation errors).</summary>
    public const int Properties = 100;

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
