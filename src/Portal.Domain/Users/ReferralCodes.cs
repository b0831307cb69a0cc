using System.Security.Cryptography;

namespace Platform.Domain.Users;

public static class ReferralCodes
{
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    /// <summary>Ten characters from an alphabet without look-alikes: short enough to read out, 50 bits to guess.</summary>
    public static string New() => RandomNumberGenerator.GetString(Alphabet, 10);
}
