using System.Text.Json;
using Platform.Portal.Infrastructure;

namespace Platform.Tests.Infrastructure;

public sealed class UtcTimestampConverterTests
{
    private static readonly JsonSerializerOptions Options = CreateOptions();

    [Fact]
    public void Write_UsesUtcWithMillisecondsAndZ()
    {
        var value = new DateTimeOffset(2021, 3, 20, 11, 1, 28, 103, TimeSpan.FromHours(2)).AddTicks(4567);

        var json = JsonSerializer.Serialize(new { CreatedAt = value }, Options);

        Assert.Equal("{\"created_at\":\"2021-03-20T09:01:28.103Z\"}", json);
    }

    [Fact]
    public void Read_AcceptsOffsetsAndAnswersUtc()
    {
        var value = JsonSerializer.Deserialize<DateTimeOffset>("\"2021-03-20T11:01:28.103+02:00\"", Options);

        Assert.Equal(TimeSpan.Zero, value.Offset);
        Assert.Equal(9, value.Hour);
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions();
        PortalServices.ConfigureJson(options);
        return options;
    }
}
