using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Platform.Domain.Common;

/// <summary>
/// UUIDv7 ids that keep the order they were made in, within this process, even inside one millisecond
/// (RFC 9562 section 6.2, method 1: the 12 bits after the version count up within a millisecond).
/// <see cref="Ids.New()"/> fills those bits at random, so rows saved together could sort in any order,
/// and EF Core inserts the rows of one save in the order of their keys.
/// </summary>
public static class Ids
{
    private const int CounterMax = 0xFFF;
    private static readonly Lock Gate = new();
    private static long _lastMilliseconds;
    private static int _counter;

    public static Guid New()
    {
        long milliseconds;
        int counter;
        lock (Gate)
        {
            // A clock set back never makes an id sort before one made earlier.
            milliseconds = Math.Max(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), _lastMilliseconds);
            if (milliseconds == _lastMilliseconds)
            {
                if (_counter == CounterMax)
                {
                    milliseconds++;
                    _counter = 0;
                }
                else
                {
                    _counter++;
                }
            }
            else
            {
                _counter = 0;
            }

            _lastMilliseconds = milliseconds;
            counter = _counter;
        }

        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes[8..]);
        BinaryPrimitives.WriteInt64BigEndian(bytes, milliseconds << 16 | 0x7000L | (uint)counter);
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true);
    }
}
