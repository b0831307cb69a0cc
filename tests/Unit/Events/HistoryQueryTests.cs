using Platform.Domain.Common;

namespace Platform.Tests.Events;

public sealed class HistoryQueryTests
{
    [Theory]
    [InlineData(null, null, null, 20, 1)]
    [InlineData("500", "1000000", null, 500, 1000000)]
    public void Parse_AcceptsTheDefaultsAndTheLimits(string? tail, string? page, string? lastId, int size, int number)
    {
        var query = HistoryQuery.Parse(tail, page, lastId);

        Assert.True(query.IsSuccess);
        Assert.Equal((size, number), (query.Value.Tail, query.Value.Page));
    }

    [Theory]
    [InlineData("0", null, null, "tail")]
    [InlineData("501", null, null, "tail")]
    [InlineData(null, "0", null, "page")]
    [InlineData(null, "1000001", null, "page")]
    [InlineData(null, null, "not-an-id", "lastId")]
    public void Parse_RefusesValuesOutsideTheRules_NamingTheParameter(string? tail, string? page, string? lastId, string field)
    {
        var query = HistoryQuery.Parse(tail, page, lastId);

        Assert.False(query.IsSuccess);
        Assert.Equal([field], query.Error!.Errors!.Keys);
    }
}
