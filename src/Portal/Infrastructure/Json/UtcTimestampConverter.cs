using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.Portal.Infrastructure.Json;

/// <summary>Timestamps on the wire are UTC ISO-8601 with milliseconds and Z: 2021-03-20T09:01:28.103Z.</summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
}
