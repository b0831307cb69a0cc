using Platform.Domain.Common;

namespace Platform.Tests.Common;

public sealed class IdsTests
{
    [Fact]
    public void IdsMadeWithinOneMillisecond_SortInTheOrderTheyWereMade()
    {
        // 5,000 in a row: many share a millisecond, and more than 4,096 in one would overflow its counter.
        var ids = Enumerable.Range(0, 5000).Select(_ => Ids.New()).ToList();

        Assert.Equal(ids, ids.Order());
        Assert.Equal(ids.Select(i => i.ToString()), ids.Select(i => i.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void Id_IsAVersion7Uuid_CarryingTheMillisecondItWasMadeIn()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var id = Ids.New();

        var milliseconds = Convert.ToInt64(id.ToString("N")[..12], 16);
        Assert.Equal(7, id.Version);
        Assert.Equal(0b10, id.Variant >> 2);
        Assert.InRange(milliseconds, before, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 5);
    }

    [Fact]
    public void RandomBits_AreNeverRepeated_AcrossManyBlocksOnOneThread()
    {
        // The 62 random bits of each id (the variant's two bits left out), over 100 of the 1 KiB blocks they are drawn from.
        var ids = Enumerable.Range(0, 12_800).Select(_ => Ids.New().ToByteArray(bigEndian: true)).ToList();

        var randomParts = ids.Select(b => BitConverter.ToUInt64(b, 8) & ~0xC0UL).ToHashSet();

        Assert.Equal(ids.Count, randomParts.Count);
    }
}
