using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Platform.Domain.Members;

/// <summary>The secret an invitation's link carries: 256 random bits, checked in constant time.</summary>
public static class InvitationTokens
{
    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>Whether the presented secret is the expected one; a missing one on either side never matches.</summary>
    public static bool Matches(string? presented, string? expected)
    {
        // Both sides are hashed first: equal lengths, so the comparison's time tells nothing about either.
        var presentedHash = SHA256.HashData(Encoding.UTF8.GetBytes(presented ?? ""));
        var expectedHash = SHA256.HashData(Encoding.UTF8.GetBytes(expected ?? ""));
        return CryptographicOperations.FixedTimeEquals(presentedHash, expectedHash)
            && !string.IsNullOrEmpty(presented) && !string.IsNullOrEmpty(expected);
    }
}
