using System.Threading.RateLimiting;

namespace Platform.Domain.Users;

/// <summary>
/// How many account mails (reset links, "no account", confirmation links, "address taken") one address receives: at
/// most <see cref="PerHour"/> an hour, whoever asks and from wherever. The forms' limits count per sender's address,
/// which many senders share out; this keeps them from flooding one inbox with the portal's genuine mails. Past it the
/// answer stays the same (it tells nothing about the address); only no mail goes.
/// </summary>
public sealed class AccountMailLimit : IDisposable
{
    public const int PerHour = 5;

    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = PerHour,
            Window = TimeSpan.FromHours(1),
            QueueLimit = 0,
        }));

    /// <summary>Whether one more account mail may go to this address now (counted if so).</summary>
    public bool TryTake(string address)
    {
        using var lease = _limiter.AttemptAcquire(address.Trim().ToUpperInvariant());
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
